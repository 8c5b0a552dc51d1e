"""Runs the moto AWS emulator on 127.0.0.1:PORT until its parent process goes away.

It prints "moto listening" once every service Eventloom uses has answered a first call.

Watching the parent means a killed ./run or ./test never leaves an orphan emulator behind.
"""

import os
import sys
import time

import boto3
from moto.server import ThreadedMotoServer

# The services Eventloom calls. Each one's first request loads its backend, which takes up to a
# second on a busy machine; doing it here keeps that out of the first deploy and the health check.
WARM = [
    ("lambda", "list_functions"),
    ("sts", "get_caller_identity"),
    ("iam", "list_roles"),
    ("s3", "list_buckets"),
    ("sqs", "list_queues"),
    ("sns", "list_topics"),
    ("events", "list_rules"),
]


def warm(port: int) -> None:
    for service, call in WARM:
        client = boto3.client(
            service,
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="warm-up",
            aws_secret_access_key="warm-up",
        )
        getattr(client, call)()


def main() -> None:
    port = int(sys.argv[1])
    parent = os.getppid()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    warm(port)
    print(f"moto listening on 127.0.0.1:{port}", flush=True)
    try:
        while os.getppid() == parent:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
