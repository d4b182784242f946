"""Who may read the uploads under ``safety/``: photos and scans, to those who may see the
record that names them (``safety.selectors.media_readable``)."""

from safety.selectors import media_readable
from safety.uploads import MEDIA_PREFIX

media = {MEDIA_PREFIX: media_readable}
