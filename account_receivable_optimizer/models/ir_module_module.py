from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, **kwargs):
        """When French is installed, name the shipped dunning levels in French where nobody did."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite, **kwargs)
        if "fr_FR" in langs and "account_receivable_optimizer" in modules:
            self.env["ar.dunning.level"].sudo()._ar_fill_french_names()
        return result
