from . import ar_report_mixin
from . import ar_aging_report
from . import ar_aging_report_line
from . import ar_kpi_fact
from . import ar_forecast_report
from . import ar_forecast_report_line
from . import ar_analytics_pack
from . import ar_receivables_dashboard
