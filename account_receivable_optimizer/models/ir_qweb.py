import contextlib
import contextvars

from lxml import etree

from odoo import models

#: ``{key: compiled template}`` of the inline templates compiled inside ``compile_once``, None outside.
#: Not a context key: a context travels with every record created meanwhile (the emails, their messages).
_COMPILED = contextvars.ContextVar("ar_qweb_compiled", default=None)


@contextlib.contextmanager
def compile_once():
    """Inside this block, an inline QWeb template (an element, such as the ``body_html`` of a
    ``mail.template``) is compiled once and its code reused for every record rendered with it.

    Odoo caches the code of the templates stored as views, but compiles an inline template again
    for each record it renders (``mail.render.mixin._render_template_qweb``): the greater part of
    the time of rendering an email of a batch. The code is reused only for the same template
    source and the same compilation context (the keys Odoo's own cache of views uses: language,
    branding, the restricted mode of mail templates...), so the output is the same.
    """
    token = _COMPILED.set({})
    try:
        yield
    finally:
        _COMPILED.reset(token)


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        compiled = _COMPILED.get()
        if compiled is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        # the source before compiling it (compiling consumes the element's directives)
        key = (
            etree.tostring(template),
            tuple(self.env.context.get(name) for name in self._get_template_cache_keys()),
        )
        if key not in compiled:
            compiled[key] = super()._compile(template)
        return compiled[key]
