#!/usr/bin/env python3
"""Loads every OSCAL document in a folder with compliance-trestle, an OSCAL
library Candor did not write, whose models forbid unknown fields and check
every token, UUID and date-time against the OSCAL types; then checks that each
control a component definition implements exists in the catalogue its
profile imports (both read from the same folder, named by framework).

Usage: check-oscal.py [--alone] DIR   (exits 1 naming every file that fails;
--alone: the folder holds no catalogues, so controls are not looked up)
"""
import json
import pathlib
import sys

from trestle.oscal.catalog import Catalog
from trestle.oscal.component import ComponentDefinition
from trestle.oscal.profile import Profile

MODELS = {"catalog": Catalog, "profile": Profile, "component-definition": ComponentDefinition}


def main(folder: str, alone: bool) -> int:
    failures = []
    loaded = {}
    files = sorted(pathlib.Path(folder).glob("*.json"))
    for path in files:
        root = next(iter(json.loads(path.read_text())))
        try:
            loaded[path.name] = (root, MODELS[root].oscal_read(path))
        except Exception as e:  # trestle raises pydantic and its own errors
            failures.append(f"{path.name}: {e}")
    catalogs = {name.removeprefix("catalog-").removesuffix(".json"): doc
                for name, (root, doc) in loaded.items() if root == "catalog"}
    for name, (root, doc) in loaded.items():
        if root != "component-definition" or alone:
            continue
        for component in doc.components or []:
            for impl in component.control_implementations or []:
                framework = str(impl.source).rsplit("/", 1)[-1].removesuffix(".json")
                catalog = catalogs.get(framework)
                if catalog is None:
                    failures.append(f"{name}: no catalogue for {impl.source}")
                    continue
                ids = {c.id for c in catalog.controls or []}
                for req in impl.implemented_requirements:
                    if req.control_id not in ids:
                        failures.append(f"{name}: {req.control_id} is not in {framework}'s catalogue")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"check-oscal: {len(loaded)} documents loaded, {len(failures)} failures")
    return 1 if failures or not files else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    alone = "--alone" in args
    sys.exit(main([a for a in args if a != "--alone"][0], alone))
