"""Text read out of sheet XML by regular expression is decoded as an XML parser would."""
from juesuan.io.sheet_xml import xml_text


def test_character_references_are_decoded():
    # openpyxl with lxml writes a formula's non-ASCII text as character references
    assert xml_text(b'HYPERLINK("x","&#28857;&#27492;")') == 'HYPERLINK("x","点此")'
    assert xml_text(b"&#x70B9;") == "点"


def test_the_five_xml_entities_are_decoded_once():
    assert xml_text(b"&quot;a&quot;&amp;&lt;b&gt;&apos;") == "\"a\"&<b>'"
    assert xml_text(b"&amp;lt;") == "&lt;"
