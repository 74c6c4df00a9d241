"""Stable diagnostic codes.

CI annotations and people's notes refer to these: a code never changes meaning
and is never reused. `docs/errors.md` lists each with an example and the fix.
"""

# Reading files
UNREADABLE = "MF001"  # not UTF-8, too large, cannot be opened
YAML_SYNTAX = "MF002"
YAML_UNSUPPORTED = "MF003"  # aliases, tags, several documents, nesting too deep
DUPLICATE_KEY = "MF004"
FRONT_MATTER = "MF005"  # missing or unclosed front matter
SYMLINK = "MF006"  # a link that leaves the site folder
TOO_MANY_FILES = "MF007"

# The shape of the data
UNKNOWN_KEY = "MF010"
MISSING_KEY = "MF011"
WRONG_TYPE = "MF012"
BAD_VALUE = "MF013"  # not one of the allowed values
BAD_NUMBER = "MF014"  # not a number, or out of range
BAD_DATE = "MF015"
BAD_COUNTRY = "MF016"
BAD_GTIN = "MF017"
BAD_URL = "MF018"
BAD_COORDINATES = "MF019"
BAD_LANGUAGE = "MF020"

# Rules across values and files
BAD_ID = "MF030"
DUPLICATE_ID = "MF031"
RESERVED_NAME = "MF032"
DANGLING_REFERENCE = "MF033"
PERCENT_SUM = "MF034"
COLLABORATION = "MF035"  # a collaborative run names fewer than two brands
NO_BASE_URL = "MF036"
MISSING_FILE = "MF037"  # a path (a story's image, a photo) that is not in static/ or photos/
QR_CONTRAST = "MF038"  # QR colours too close, or inverted
WINDOWS_NAME = "MF039"  # a file name or id Windows cannot have (CON, NUL, COM1, a trailing dot...)
NO_DEFAULT_TEXT = "MF040"  # a text's map of languages without the site's default language
LONE_TRANSLATION = "MF041"  # a translation file (name.<lang>.md) without the file it translates
PHOTO_UNREADABLE = "MF042"  # not an image, truncated, too large (pixels or bytes), a format not read
PHOTO_NO_ALT = "MF043"  # a photo without `alt`, what it shows
BAD_FOCUS = "MF044"  # a photo's focus point that is not [x, y] from 0 to 1
SIGNING_KEY = "MF045"  # passport.sign on, and no key that can be used (or key material in the output)
BAD_PUBLIC_KEY = "MF046"  # passport.public_key or retired_keys: not an Ed25519 public key
SIGN_WITHOUT_BASE_URL = "MF047"  # passport.sign on without base_url: no did:web to sign as
STATUS_INDEX = "MF048"  # passport.status_list on: a batch without status_index, or one another batch has
PASSPORT_STATUS = "MF049"  # passport_status revoked without a reason or a status list; a list unsigned

# Warnings: the site builds, but something is probably not what was meant
UNUSED = "MF101"
EXTERNAL_IMAGE = "MF102"
QR_PRINT_SIZE = "MF103"  # label modules below 0.4 mm: scanners may fail
NOT_ANNEX_FIBRE = "MF104"  # a fibre that is not an Annex I name of EU 1007/2011: shown as written
NO_THEME_STRINGS = "MF105"  # a language mfsite ships no theme strings for: they stay in English
UNCONFIRMED_FIBRE_NAME = "MF106"  # a fibre's Annex I name in a label language not confirmed in the data
TRANSLATION_UNUSED = "MF107"  # a file named like a translation in a site of one language: a page of its own
LOCATED_IMAGE = "MF108"  # an image in static/ (published as it is) that carries GPS coordinates
NO_AVIF = "MF109"  # a Pillow that cannot write AVIF: photos go out as JPEG only
