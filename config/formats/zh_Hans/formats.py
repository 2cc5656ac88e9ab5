# The date as DATE_FORMAT writes it, then the time and the time zone (config.formats).
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y年n月j日 H:i T"
