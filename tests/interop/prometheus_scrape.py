#!/usr/bin/env python3
"""Scrapes a Prometheus endpoint with urllib and parses it with the reference parser of
prometheus_client (Debian python3-prometheus-client), which wsnova did not write.

Usage: prometheus_scrape.py URL
Prints, one per line (tab-separated):
  CONTENT_TYPE <value>
  FAMILY <name> <type>            (counters named without _total, as the parser does)
  SAMPLE <name> <labels as JSON> <value as repr(float)>
Exits 3 when prometheus_client is missing, 1 when the text does not parse.
"""
import json
import sys
import urllib.request

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("prometheus_scrape.py: the module prometheus_client is missing; install it: "
          "apt-get install python3-prometheus-client", file=sys.stderr)
    sys.exit(3)


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
        content_type = response.headers["Content-Type"]
        text = response.read().decode("utf-8")
    print(f"CONTENT_TYPE\t{content_type}")
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError and friends on bad input
        print(f"prometheus_scrape.py: the exposition does not parse: {e!r}", file=sys.stderr)
        sys.exit(1)
    for family in families:
        print(f"FAMILY\t{family.name}\t{family.type}")
        for sample in family.samples:
            labels = json.dumps(sample.labels, sort_keys=True)
            print(f"SAMPLE\t{sample.name}\t{labels}\t{sample.value!r}")


if __name__ == "__main__":
    main()
