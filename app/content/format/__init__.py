"""The authoring engine: course files in `content/` into validated, rendered specs.

Pure: no database, no web, no settings. It imports only itself and `app.i18n` (plus the SIASN
code table, a plain constant), so a trainer's `lentera content check` and the tests run it
without any server (`tests/test_import_graph.py` enforces this).

Public API (import the modules, e.g. `from app.content.format import loader`):

- `loader.load_library(root) -> Library(courses, problems, broken)` and
  `loader.load_course(folder, root) -> CourseLoad(course, problems, ...)`
- `specs`: `CourseSpec`, `ModuleSpec`, `QuizSpec`, `QuestionSpec`, `OptionSpec`,
  `SimulationSpec`, `SituationSpec`, `ChoiceSpec`, `TocEntry`, `normalise_answer()`,
  `ENGINE_VERSION`
- `problems.Problem` (`str()` gives "path:line: galat|peringatan: message")
- `urls.CourseUrls`: the site paths the rendered HTML links to (the routes must serve them)
- `sanitize.sanitize_html()`, `markdown.slugify()`
- `question_import.convert_file(path) -> (markdown, problems)` for Moodle GIFT / Aiken
"""
