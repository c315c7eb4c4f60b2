from . import ar_aging_report
from . import ar_aging_report_line
