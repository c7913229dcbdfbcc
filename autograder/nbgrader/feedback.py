"""`nbgrader generate_feedback`: nbgrader's feedback page, whose table of contents names each graded
function and auto-graded answer (templates/kit_feedback), instead of a list of "Test cell"s.

It is an exporter of its own (GenerateFeedback.exporter_class) rather than an
HTMLExporter setting, which formgrader's own pages would pick up too.
"""
import copy
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config

TEMPLATES = Path(__file__).resolve().parent / "templates"


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback template under the kit's table of contents."""

    def __init__(self, config: Config = None, **kwargs):
        config = copy.deepcopy(config) if config is not None else Config()
        config.FeedbackExporter.template_name = "kit_feedback"  # over GenerateFeedback's HTMLExporter setting
        config.FeedbackExporter.extra_template_basedirs = [
            str(TEMPLATES), *config.HTMLExporter.get("extra_template_basedirs", [])]
        # nbgrader's template folder as a search root too, so kit_feedback can extend 'feedback/index.html.j2'
        config.FeedbackExporter.extra_template_paths = [
            *config.HTMLExporter.get("extra_template_paths", []), handlers.template_path]
        super().__init__(config=config, **kwargs)
