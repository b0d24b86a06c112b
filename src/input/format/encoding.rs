//! Text encodings of CSV input. Everything is turned into UTF-8 before it is
//! parsed, so the rest of the reader knows one encoding.
//!
//! Excel on Windows saves "CSV" in Windows-1252 (and "Unicode text" in
//! UTF-16 with a byte-order mark); older exports are Latin-1. A UTF-16
//! byte-order mark is honoured whatever `--encoding` says.

use std::borrow::Cow;

use crate::error::{Error, Location, Result};
use crate::input::source::Bytes;

/// `--encoding`: the encoding of CSV input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is skipped).
    #[default]
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1252 (Excel on Windows in Western Europe and the Americas).
    #[value(name = "windows-1252", alias = "cp1252")]
    Windows1252,
    /// ISO-8859-1: every byte is the code point of the same number.
    #[value(name = "latin1", alias = "iso-8859-1")]
    Latin1,
    /// UTF-16, little-endian unless a byte-order mark says otherwise.
    #[value(name = "utf-16", alias = "utf16")]
    Utf16,
}

/// `bytes` as UTF-8, decoded from `encoding` (or from UTF-16 when they
/// start with its byte-order mark). Text already valid in the target is
/// passed through without a copy where the encodings agree on it (ASCII).
pub(crate) fn decode(name: &str, bytes: Bytes, encoding: Encoding) -> Result<Bytes> {
    let utf16 = match (bytes.get(..2), encoding) {
        (Some([0xFF, 0xFE]), _) => Some((encoding_rs::UTF_16LE, 2)),
        (Some([0xFE, 0xFF]), _) => Some((encoding_rs::UTF_16BE, 2)),
        (_, Encoding::Utf16) => Some((encoding_rs::UTF_16LE, 0)),
        _ => None,
    };
    if let Some((enc, bom)) = utf16 {
        return decode_utf16(name, &bytes[bom..], enc).map(|s| Bytes::Owned(s.into_bytes()));
    }
    let ascii = || encoding_rs::mem::is_ascii(&bytes);
    match encoding {
        Encoding::Utf8 | Encoding::Utf16 => Ok(bytes),
        Encoding::Windows1252 => match encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes).0 {
            Cow::Borrowed(_) => Ok(bytes),
            Cow::Owned(s) => Ok(Bytes::Owned(s.into_bytes())),
        },
        Encoding::Latin1 if ascii() => Ok(bytes),
        Encoding::Latin1 => {
            let mut out = vec![0; bytes.len() * 2];
            let n = encoding_rs::mem::convert_latin1_to_utf8(&bytes, &mut out);
            out.truncate(n);
            Ok(Bytes::Owned(out))
        }
    }
}

/// UTF-16 to a string; an unpaired surrogate or a lone last byte is an
/// error naming its line.
fn decode_utf16(name: &str, bytes: &[u8], enc: &'static encoding_rs::Encoding) -> Result<String> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len() * 3 / 2 + 16);
    let mut out = String::with_capacity(cap);
    let (result, _) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        _ => Err(Error::Malformed {
            path: name.to_string(),
            location: Location::Line(out.bytes().filter(|&b| b == b'\n').count() as u64 + 1),
            detail: format!(
                "not valid {} (an unpaired surrogate or a cut-off last character); expected text in the encoding of `--encoding`",
                enc.name()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8], enc: Encoding) -> String {
        String::from_utf8(decode("t.csv", Bytes::Owned(bytes.to_vec()), enc).unwrap().to_vec()).unwrap()
    }

    #[test]
    fn decodes_the_encodings_excel_writes() {
        // "Müller;12,50 €" in Windows-1252: ü = 0xFC, € = 0x80.
        let cp1252 = b"M\xfcller;12,50 \x80";
        assert_eq!(text(cp1252, Encoding::Windows1252), "Müller;12,50 €");
        // Latin-1 has no euro sign: 0x80 is the control character U+0080.
        assert_eq!(text(cp1252, Encoding::Latin1), "Müller;12,50 \u{80}");
        // UTF-16 with a byte-order mark, either order, whatever was asked.
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a;ü\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a;ü\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text(&le, Encoding::Utf8), "a;ü\n");
        assert_eq!(text(&be, Encoding::Windows1252), "a;ü\n");
        // Without one, `utf-16` is little-endian.
        assert_eq!(text(&le[2..], Encoding::Utf16), "a;ü\n");
        // ASCII passes through every single-byte encoding unchanged.
        assert_eq!(text(b"a,b\n", Encoding::Latin1), "a,b\n");
    }

    #[test]
    fn broken_utf16_names_its_line() {
        // Line 2 holds an unpaired high surrogate.
        let mut bytes: Vec<u8> = "h\nx".encode_utf16().flat_map(u16::to_le_bytes).collect();
        bytes.extend_from_slice(&0xD800u16.to_le_bytes());
        let err = decode("t.csv", Bytes::Owned(bytes), Encoding::Utf16).err().unwrap();
        assert!(err.to_string().starts_with("`t.csv` line 2: not valid UTF-16LE"), "{err}");
    }
}
