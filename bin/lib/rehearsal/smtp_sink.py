"""The rehearsal's SMTP server (aiosmtpd) on loopback.

Accepts most messages, defers some with 451 and refuses some with 550 (each message
drawn at random at the set rates), and writes what it accepted to disk: one .eml file
per message and one line per answer in answers.jsonl (time, answer, recipients,
Message-Id, whether the message carries a follow-up unsubscribe link). Started and
stopped by drive.py (the stop is a fault of the rehearsal: the process is killed and a
new one started on the same port and directory).

    python smtp_sink.py PORT DIR DEFER_RATE REFUSE_RATE SEED
"""

import email
import json
import os
import random
import signal
import sys
import time

from aiosmtpd.controller import Controller

PORT, DIR = int(sys.argv[1]), sys.argv[2]
DEFER, REFUSE = float(sys.argv[3]), float(sys.argv[4])
rng = random.Random(int(sys.argv[5]) + os.getpid())
os.makedirs(os.path.join(DIR, "accepted"), exist_ok=True)
log = open(os.path.join(DIR, "answers.jsonl"), "a", buffering=1)  # noqa: SIM115 - for the run


class Handler:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        message_id = (message.get("Message-Id") or "").strip()
        followup = "/followup/unsubscribe/" in (message.get("List-Unsubscribe") or "")
        draw = rng.random()
        if draw < REFUSE:
            answer, code = "refused", "550 5.7.1 Rehearsal: recipient refused"
        elif draw < REFUSE + DEFER:
            answer, code = "deferred", "451 4.3.0 Rehearsal: try again later"
        else:
            answer, code = "accepted", "250 OK"
            name = f"{time.time_ns()}-{os.getpid()}-{rng.getrandbits(32):08x}.eml"
            path = os.path.join(DIR, "accepted", name)
            # A small local file: blocking the loop for it is what a real server does.
            with open(path + ".part", "wb") as handle:  # noqa: ASYNC230
                handle.write(envelope.original_content or envelope.content)
            os.rename(path + ".part", path)
        log.write(
            json.dumps(
                {
                    "t": time.time(),
                    "answer": answer,
                    "rcpt": [address.lower() for address in envelope.rcpt_tos],
                    "message_id": message_id,
                    "followup": followup,
                    "subject": message.get("Subject", ""),
                }
            )
            + "\n"
        )
        return code


if __name__ == "__main__":
    controller = Controller(Handler(), hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        signal.pause()
    finally:
        controller.stop()
