from . import ar_credit_override_wizard
from . import account_payment_register
from . import ar_dunning_preview
from . import ar_d441_report
from . import ar_insurance_limit_import
