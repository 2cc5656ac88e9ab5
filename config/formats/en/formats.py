# The date as DATE_FORMAT writes it, then the time and the time zone (config.formats).
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "N j, Y, P T"
