from . import ar_credit_override_wizard
