"""Course content: the authoring engine and the content store.

- `format/`: the pure authoring engine (parse, check and render course files; see its
  docstring). It imports nothing from the database or the web.
- The store around it: `store` (immutable versions in the database, publishing), `models`,
  `catalog` (the per-process catalogue cache) and `freshness`, `prerequisites` (checked against
  published courses), `upload` (safe zip extraction), `guide` (the trainers' format guide),
  and the pages: `routes` (catalogue, course, module), `trainer_routes` (`/pengajar`).
"""
