"""``pip install .`` installs the addon as ``odoo.addons.account_receivable_optimizer``.

Odoo (18.0 or 19.0) itself is not installed by this file: install it first (Odoo's own
packages or source tree), then this addon into the same Python.
"""

from pathlib import Path

from setuptools import setup

ADDON = "account_receivable_optimizer"
HERE = Path(__file__).parent
PACKAGE = f"odoo.addons.{ADDON}"

packages = [PACKAGE] + [
    f"{PACKAGE}.{'.'.join(path.relative_to(HERE / ADDON).parent.parts)}"
    for path in sorted((HERE / ADDON).rglob("__init__.py"))
    if path.parent != HERE / ADDON and "__pycache__" not in path.parts
]
package_data = [
    str(path.relative_to(HERE / ADDON))
    for path in (HERE / ADDON).rglob("*")
    if path.is_file() and path.suffix in {".xml", ".csv", ".po", ".pot", ".png", ".svg", ".rst", ".md", ".html"}
]

setup(
    name="odoo-addon-account-receivable-optimizer",
    version="1.1.0",
    description="Odoo 18.0 and 19.0 credit control: credit policies, enforced credit limits, risk grades",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="LGPL-3.0-or-later",
    python_requires=">=3.10",
    packages=packages,
    package_dir={PACKAGE: ADDON},
    package_data={PACKAGE: package_data},
    include_package_data=False,
    install_requires=["xlsxwriter>=3.0"],
    classifiers=[
        "Framework :: Odoo",
        "Framework :: Odoo :: 18.0",
        "Framework :: Odoo :: 19.0",
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "Programming Language :: Python :: 3",
    ],
    zip_safe=False,
)
