from . import ar_credit_policy
from . import ar_credit_override
from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import account_payment_term
from . import ar_discount_analysis
