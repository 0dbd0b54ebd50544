"""Text taken from raw worksheet XML (formula text in messages, references in formulas)."""
from juesuan.io.sheet_xml import column_number, xml_unescape


def test_character_references_and_entities_are_decoded_ampersand_last():
    # openpyxl writes 点此 in a formula as &#28857;&#27492; (decimal); hex references are XML too
    assert xml_unescape('HYPERLINK("x","&#28857;&#27492;")') == 'HYPERLINK("x","点此")'
    assert xml_unescape("&#x516C;&#x5F00;01!C7") == "公开01!C7"
    assert xml_unescape("A1&lt;&gt;B1&amp;&quot;&apos;") == "A1<>B1&\"'"
    assert xml_unescape("&amp;lt; &amp;#28857;") == "&lt; &#28857;"      # escaped ampersands stay text


def test_column_letters():
    assert [column_number(c) for c in (b"A", b"Z", b"AA", b"XFD")] == [1, 26, 27, 16384]
