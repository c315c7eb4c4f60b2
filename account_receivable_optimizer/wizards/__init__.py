from . import ar_credit_override_wizard
from . import ar_dunning_preview
