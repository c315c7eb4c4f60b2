from . import test_credit_check
from . import test_credit_race
from . import test_exposure
from . import test_policy
from . import test_access
from . import test_risk_grade
from . import test_dunning_run
from . import test_dunning_rules
