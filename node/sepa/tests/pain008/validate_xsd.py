#!/usr/bin/env python3
"""Validates pain.008 files against the official ISO 20022 XSD shipped in PyPI `sepaxml`, and
checks what a schema cannot: NbOfTxs and CtrlSum agree with the transactions, in the group header
and in every payment block.

Usage: validate_xsd.py SCHEMA FILE...   (SCHEMA e.g. pain.008.001.08)

Prints one line per file, `valid FILE` or `invalid FILE: reason; reason`, after a first line
`schema PATH sepaxml VERSION xmlschema VERSION`. Exit status: 0 all valid, 1 some invalid,
3 the Python modules are missing (the Rust test turns that into a failure saying what to install).
"""

import os
import sys
import xml.etree.ElementTree as ElementTree
from decimal import Decimal, InvalidOperation

try:
    import sepaxml
    import xmlschema
except ImportError as missing:
    print(
        f"the Python module {missing.name!r} is missing: pip install sepaxml xmlschema",
        file=sys.stderr,
    )
    sys.exit(3)


def module_version(name):
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # a broken install still validates; the version is only reported
        return "unknown"


def sums_problems(path, namespace):
    """NbOfTxs and CtrlSum against the transactions they count and add up."""
    problems = []
    ns = {"p": namespace}
    root = ElementTree.parse(path).getroot()

    def amount(transaction):
        return Decimal(transaction.find("p:InstdAmt", ns).text)

    def compare(where, element, transactions):
        count = element.find("p:NbOfTxs", ns)
        total = element.find("p:CtrlSum", ns)
        if count is None or int(count.text) != len(transactions):
            problems.append(f"{where} NbOfTxs is not {len(transactions)}")
        expected = sum((amount(t) for t in transactions), Decimal(0))
        try:
            if total is None or Decimal(total.text) != expected:
                problems.append(f"{where} CtrlSum is not {expected}")
        except InvalidOperation:
            problems.append(f"{where} CtrlSum is not a number")

    initiation = root.find("p:CstmrDrctDbtInitn", ns)
    blocks = initiation.findall("p:PmtInf", ns)
    all_transactions = initiation.findall("p:PmtInf/p:DrctDbtTxInf", ns)
    compare("GrpHdr", initiation.find("p:GrpHdr", ns), all_transactions)
    for block in blocks:
        block_id = block.find("p:PmtInfId", ns).text
        compare(f"PmtInf {block_id}", block, block.findall("p:DrctDbtTxInf", ns))
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    schema_name, files = sys.argv[1], sys.argv[2:]
    schema_path = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", schema_name + ".xsd")
    if not os.path.exists(schema_path):
        print(f"sepaxml {module_version('sepaxml')} ships no {schema_name}.xsd", file=sys.stderr)
        sys.exit(2)
    schema = xmlschema.XMLSchema(schema_path)
    print(
        f"schema {schema_path} sepaxml {module_version('sepaxml')} "
        f"xmlschema {module_version('xmlschema')}"
    )
    all_valid = True
    for path in files:
        try:
            problems = [error.reason or str(error) for error in schema.iter_errors(path)]
        except Exception as error:  # not even XML
            problems = [f"not readable as XML: {error}"]
        if not problems:
            problems = sums_problems(path, schema.target_namespace)
        if problems:
            all_valid = False
            reasons = "; ".join(" ".join(p.split()) for p in problems)
            print(f"invalid {path}: {reasons}")
        else:
            print(f"valid {path}")
    sys.exit(0 if all_valid else 1)


if __name__ == "__main__":
    main()
