"""Where documents come from: existing dumps and saved pages (here), feeds and sitemaps later."""
