from . import followup_consent_proof
