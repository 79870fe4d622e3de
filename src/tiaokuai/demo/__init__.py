"""The demo county of 青溪县: `tiaokuai demo load` / `tiaokuai demo up` (see generate.py)."""
