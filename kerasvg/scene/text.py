"""Text measurement without a font engine: per-character advance widths of the DejaVu faces."""
from __future__ import annotations

import re
import unicodedata

# Advance widths in thousandths of an em for U+0020..U+007E, read from the DejaVu fonts.
_ASCII_WIDTHS = {
    "DejaVu Sans": (
        318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
        636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
        752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
        337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
        635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
    ),
    "DejaVu Serif": (
        318, 402, 460, 838, 636, 950, 890, 275, 390, 390, 500, 838, 318, 338, 318, 337, 636, 636, 636, 636,
        636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 536, 1000, 722, 735, 765, 802, 730, 694, 799,
        872, 395, 401, 747, 664, 1024, 875, 820, 673, 820, 753, 685, 667, 843, 722, 1028, 712, 660, 695, 390,
        337, 390, 838, 500, 500, 596, 640, 560, 640, 592, 370, 640, 644, 320, 310, 606, 320, 948, 644, 602,
        640, 640, 478, 513, 402, 644, 565, 856, 564, 565, 527, 636, 337, 636, 838,
    ),
    "DejaVu Sans Mono": (602,) * 95,
}
_FALLBACK_FACE = "DejaVu Sans"
_WIDE = 1000
_OTHER = 700


def char_width(char: str, family: str = _FALLBACK_FACE) -> int:
    """Advance width of one character in thousandths of an em."""
    code = ord(char)
    if 32 <= code <= 126:
        return _ASCII_WIDTHS.get(family, _ASCII_WIDTHS[_FALLBACK_FACE])[code - 32]
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cc", "Cf", "Mn"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F") or code >= 0x1F000:
        return _WIDE
    if char == "×":
        return 838
    return _OTHER


_KNOWN_WIDTHS = {family: {chr(32 + i): w for i, w in enumerate(widths)} for family, widths in _ASCII_WIDTHS.items()}
_MAX_KNOWN = 4096  # characters remembered per face beyond U+0020..U+007E


BOLD_WIDTH = 1.1  # bold text (stage and key captions) is at most this much wider than text_width says


def text_width(text: str, font_size: float, family: str = _FALLBACK_FACE) -> float:
    """Width of `text` in the units of `font_size` (a slight overestimate for unknown glyphs)."""
    if family not in _KNOWN_WIDTHS:
        family = _FALLBACK_FACE  # the same widths as `char_width` gives an unknown family
    widths = _KNOWN_WIDTHS[family]
    try:
        total = sum(map(widths.__getitem__, text))
    except KeyError:  # a character met for the first time
        if len(widths) < _MAX_KNOWN:
            widths.update((c, char_width(c, family)) for c in set(text) if c not in widths)
        total = sum(widths[c] if c in widths else char_width(c, family) for c in text)
    return total * font_size / 1000.0


_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML 1.0 forbids (most control characters, lone surrogates) with U+FFFD."""
    return _XML_FORBIDDEN.sub("\ufffd", str(text))


_ESCAPED_IN_NAMES = re.compile("[\\\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
                              "\ud800-\udfff\ufffe\uffff]")


def _escape_char(match) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def name_key(text: str) -> str:
    """A name as XML can hold it, one-to-one: forbidden characters as `\\xNN`/`\\uNNNN`, a backslash as `\\\\`."""
    return _ESCAPED_IN_NAMES.sub(_escape_char, str(text))


def terminal_safe(text: str) -> str:
    """Text a terminal shows as it is: control, bidirectional and line-separator characters as `\\x1b`-style escapes."""
    return _TERMINAL_UNSAFE.sub(_escape_char, str(text))
