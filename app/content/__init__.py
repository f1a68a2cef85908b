"""Course content: files in `content/` into validated, rendered specs (pure, no database).

Public API (import the modules, e.g. `from app.content import loader as content_loader`):

- `loader.load_library(root) -> Library(courses, problems, broken)` and
  `loader.load_course(folder, root) -> CourseLoad(course, problems, ...)`
- `specs`: `CourseSpec`, `ModuleSpec`, `QuizSpec`, `QuestionSpec`, `OptionSpec`,
  `SimulationSpec`, `SituationSpec`, `ChoiceSpec`, `TocEntry`, `normalise_answer()`,
  `ENGINE_VERSION`
- `problems.Problem` (`str()` gives "path:line: galat|peringatan: message")
- `urls.CourseUrls`: the site paths the rendered HTML links to (the routes must serve them)
- `sanitize.sanitize_html()`, `markdown.slugify()`
- `question_import.convert_file(path) -> (markdown, problems)` for Moodle GIFT / Aiken
- `cli.content_cli`: the `lentera content` commands
"""
