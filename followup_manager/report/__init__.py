from . import followup_consent_proof
from . import followup_consent_proof_register
