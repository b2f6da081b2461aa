"""plotly.js for an offline page, taken from the installed plotly package (never a CDN).

The full bundle is 4.8 MB; gzip-compressed and base64-encoded it is 2.0 MB. The report
carries it that way and the page inflates it with the browser's ``DecompressionStream``
(Chrome 80, Firefox 113, Safari 16.4 and later), which keeps a four-scenario report
under 5 MB with all its numbers.
"""

from __future__ import annotations

import base64
import gzip
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    """The minified plotly.js bundled with the plotly package."""
    return resources.files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()


@lru_cache(maxsize=1)
def plotly_js_gzip_base64() -> str:
    """plotly.js gzip-compressed (deterministic: no timestamp), as base64 text."""
    return base64.b64encode(gzip.compress(plotly_js(), compresslevel=9, mtime=0)).decode("ascii")
