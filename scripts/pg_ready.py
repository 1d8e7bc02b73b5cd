"""Exit 0 when a PostgreSQL server answers at the URL given, 1 otherwise (with the reason)."""
import sys

import psycopg


def main(url: str) -> int:
    # Connect to the maintenance database: the test database does not exist yet.
    base = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(base, connect_timeout=3):
            return 0
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable at {base}: {str(exc).strip().splitlines()[0]}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
