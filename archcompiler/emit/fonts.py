"""The fonts of every drawn figure (diagrams, cell figures, concept figures), per language."""

FONT = "Helvetica,Arial,sans-serif"
# Korean: Hangul from NanumGothic (fonts-nanum, installed by scripts/setup.sh); Latin letters, arrows and
# Greek from the English fonts first, because NanumGothic draws → as a small '›' and γ oddly
KOREAN_FONT = FONT + ",NanumGothic"
FONTS = {"en": FONT, "ko": KOREAN_FONT}
