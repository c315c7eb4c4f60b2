from odoo import api, models

from .. import compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _ar_compat_set_category(self, group_ids, category_id, sequence=None):
        """Data-file entry point of compat.set_groups_category (18.0 and 19.0)."""
        category = self.env["ir.module.category"].browse(category_id)
        compat.set_groups_category(self.browse(group_ids), category, sequence)

    @api.model
    def _ar_compat_link_groups(self, model, record_ids, group_ids):
        """Data-file entry point of compat.link_groups (18.0 and 19.0)."""
        compat.link_groups(self.env[model].browse(record_ids), self.browse(group_ids))
