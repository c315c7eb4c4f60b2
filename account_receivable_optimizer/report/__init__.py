from . import ar_report_mixin
from . import ar_aging_report
from . import ar_aging_report_line
from . import ar_kpi_report
from . import ar_kpi_report_line
from . import ar_forecast_report
from . import ar_forecast_report_line
from . import ar_analytics_pack
