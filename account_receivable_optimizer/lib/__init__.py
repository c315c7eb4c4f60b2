# The pure-Python core of the addon lives in ``ar_core``: it imports nothing
# from Odoo so that it can be tested (and reused) on its own.
