"""Runs the moto AWS emulator on 127.0.0.1:PORT until its parent process goes away.

Watching the parent means a killed ./run or ./test never leaves an orphan emulator behind.
"""

import os
import sys
import time

from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1])
    parent = os.getppid()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
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
