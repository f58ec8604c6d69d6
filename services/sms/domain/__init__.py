"""Pure SMS rules: phone numbers, keywords, segments and provider forms."""
