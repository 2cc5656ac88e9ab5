# The date as DATE_FORMAT writes it, then the time and the time zone (config.formats).
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j E Y г., G:i T"
