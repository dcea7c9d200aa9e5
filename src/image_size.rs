//! An image's width and height in pixels, read from the first bytes of its file: the PNG
//! `IHDR` chunk, the GIF logical screen, the JPEG start-of-frame (turned as its EXIF
//! orientation says), WebP's `VP8 `, `VP8L` or `VP8X` chunk, an SVG root's `width` and
//! `height` or `viewBox`.
//!
//! Input: the bytes the build already holds (never a file). Output: `Some((width, height))`
//! or `None` for anything else: an unknown type, a truncated or lying header, a size of zero
//! or beyond [`MAX_SIDE`]. Files come from repositories nobody reviewed: every read is
//! bounds-checked and the scans are bounded, so no input can panic or take long. A leaf:
//! imports nothing of ours.

/// The largest side believed: beyond it a header is lying or the image is not for a page.
pub(crate) const MAX_SIDE: u32 = 100_000;
/// How far into an SVG file its root element is looked for.
const SVG_SCAN: usize = 64 * 1024;

/// The pixel size an image file states, if it is a PNG, GIF, JPEG, WebP or SVG that states one.
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let found = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        gif(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        webp(bytes)
    } else {
        svg(bytes)
    }?;
    let sensible = |side: u32| (1..=MAX_SIDE).contains(&side);
    (sensible(found.0) && sensible(found.1)).then_some(found)
}

fn u16_le(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u16_be(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u32::from(u16::from_be_bytes([b[0], b[1]])))
}

fn u24_le(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(3)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

fn u32_be(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The first chunk after the signature is `IHDR`: width and height, big-endian.
fn png(bytes: &[u8]) -> Option<(u32, u32)> {
    (bytes.get(12..16)? == b"IHDR").then_some(())?;
    Some((u32_be(bytes, 16)?, u32_be(bytes, 20)?))
}

/// The logical screen after the six-byte signature, little-endian.
fn gif(bytes: &[u8]) -> Option<(u32, u32)> {
    Some((u16_le(bytes, 6)?, u16_le(bytes, 8)?))
}

/// Walks the segments up to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC),
/// noting the EXIF orientation on the way: 5 to 8 mean the picture is shown turned a
/// quarter, as browsers do, so its sides swap.
fn jpeg(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2usize;
    let mut turned = false;
    loop {
        // Fill bytes (0xFF) may precede a marker.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        at += 2;
        // Markers without a length: TEM, RST0-7 (SOI and EOI cannot come here in a valid file).
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 || marker == 0xDA {
            // End of image, or the scan data: no frame header before it.
            return None;
        }
        let length = usize::try_from(u16_be(bytes, at)?).ok()?;
        if length < 2 {
            return None;
        }
        let segment = bytes.get(at + 2..at + length)?;
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let height = u16_be(segment, 1)?;
            let width = u16_be(segment, 3)?;
            return Some(if turned {
                (height, width)
            } else {
                (width, height)
            });
        }
        if marker == 0xE1 && segment.starts_with(b"Exif\0\0") {
            turned = exif_orientation(&segment[6..]).is_some_and(|o| (5..=8).contains(&o));
        }
        at += length;
    }
}

/// Tag 0x0112 (orientation) of the first image file directory of a TIFF header.
fn exif_orientation(tiff: &[u8]) -> Option<u32> {
    let little = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| match little {
        true => u16_le(tiff, at),
        false => u16_be(tiff, at),
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at.checked_add(4)?)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(match little {
            true => u32::from_le_bytes(b),
            false => u32::from_be_bytes(b),
        })
    };
    let directory = usize::try_from(u32_at(4)?).ok()?;
    let entries = usize::try_from(u16_at(directory)?).ok()?;
    (0..entries).find_map(|index| {
        let entry = directory
            .checked_add(2)?
            .checked_add(index.checked_mul(12)?)?;
        (u16_at(entry)? == 0x0112).then(|| u16_at(entry + 8))?
    })
}

/// The first chunk after the RIFF header says the format: lossy (`VP8 `: a key frame's
/// 14-bit sides), lossless (`VP8L`: 14-bit sides minus one, packed) or extended (`VP8X`:
/// the canvas, 24-bit sides minus one).
fn webp(bytes: &[u8]) -> Option<(u32, u32)> {
    let data = bytes.get(20..)?;
    match bytes.get(12..16)? {
        b"VP8 " => {
            (data.get(3..6)? == [0x9D, 0x01, 0x2A]).then_some(())?;
            Some((u16_le(data, 6)? & 0x3FFF, u16_le(data, 8)? & 0x3FFF))
        }
        b"VP8L" => {
            (*data.first()? == 0x2F).then_some(())?;
            let b = data.get(1..5)?;
            let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((u24_le(data, 4)? + 1, u24_le(data, 7)? + 1)),
        _ => None,
    }
}

/// The root `<svg>` element's `width` and `height` in pixels (plain numbers or `px`), the
/// missing one from the `viewBox`'s proportions; else the `viewBox`'s own size. Lengths in
/// other units (`%`, `em`, `cm`) say nothing about pixels and are not used.
fn svg(bytes: &[u8]) -> Option<(u32, u32)> {
    let head = &bytes[..bytes.len().min(SVG_SCAN)];
    let text = std::str::from_utf8(head)
        .or_else(|err| std::str::from_utf8(&head[..err.valid_up_to()]))
        .ok()?;
    let tag = root_svg_tag(text)?;
    let width = svg_attribute(tag, "width").and_then(pixels);
    let height = svg_attribute(tag, "height").and_then(pixels);
    let view_box = svg_attribute(tag, "viewBox").and_then(|value| {
        let numbers: Vec<f64> = value
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|part| !part.is_empty())
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        match numbers[..] {
            [_, _, w, h] if w > 0.0 && h > 0.0 && w.is_finite() && h.is_finite() => Some((w, h)),
            _ => None,
        }
    });
    let (width, height) = match (width, height, view_box) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (None, None, Some((vw, vh))) => (vw, vh),
        _ => return None,
    };
    Some((round_side(width)?, round_side(height)?))
}

/// The start tag of the first element, if it is `<svg …>` (after the XML declaration,
/// comments, a doctype and processing instructions).
fn root_svg_tag(text: &str) -> Option<&str> {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            break;
        }
    }
    let after = rest.strip_prefix("<")?;
    let name_end = after
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(after.len());
    // `svg` or a prefixed `svg:svg`.
    let name = &after[..name_end];
    (name == "svg" || name.ends_with(":svg")).then_some(())?;
    let end = after.find('>')?;
    Some(&after[name_end..end])
}

/// The value of attribute `name` in the attributes of a start tag (quoted, as XML wants).
fn svg_attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut rest = tag;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let equals = rest.find('=')?;
        let key = rest[..equals].trim();
        let value_part = rest[equals + 1..].trim_start();
        let quote = value_part
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')?;
        let value_part = &value_part[1..];
        let close = value_part.find(quote)?;
        if key == name {
            return Some(&value_part[..close]);
        }
        rest = &value_part[close + 1..];
    }
}

/// A length in pixels: a plain number or one in `px`.
fn pixels(value: &str) -> Option<f64> {
    let value = value.trim();
    let number = value.strip_suffix("px").unwrap_or(value).trim_end();
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0)
}

fn round_side(side: f64) -> Option<u32> {
    let rounded = side.round();
    (rounded >= 1.0 && rounded <= f64::from(MAX_SIDE)).then_some(rounded as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bytes.extend(width.to_be_bytes());
        bytes.extend(height.to_be_bytes());
        bytes.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        bytes
    }

    fn jpeg_of(width: u16, height: u16, orientation: Option<u16>) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        // APP0 (JFIF).
        bytes.extend([0xFF, 0xE0, 0, 16]);
        bytes.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        if let Some(orientation) = orientation {
            // APP1 with a big-endian TIFF header holding one IFD entry.
            let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01".to_vec();
            tiff.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]);
            tiff.extend(orientation.to_be_bytes());
            tiff.extend([0, 0, 0, 0, 0, 0]);
            let length = (2 + 6 + tiff.len()) as u16;
            bytes.extend([0xFF, 0xE1]);
            bytes.extend(length.to_be_bytes());
            bytes.extend(b"Exif\0\0");
            bytes.extend(tiff);
        }
        // A DQT segment to skip, fill bytes, then SOF2 (progressive).
        bytes.extend([0xFF, 0xDB, 0, 4, 0, 0, 0xFF, 0xFF, 0xC2, 0, 11, 8]);
        bytes.extend(height.to_be_bytes());
        bytes.extend(width.to_be_bytes());
        bytes.extend([3, 1, 0x22, 0]);
        bytes.extend([0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        bytes
    }

    fn webp_of(chunk: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut bytes = b"RIFF\0\0\0\0WEBP".to_vec();
        bytes.extend(chunk);
        bytes.extend((data.len() as u32).to_le_bytes());
        bytes.extend(data);
        bytes
    }

    #[test]
    fn png_and_gif_sides_come_from_their_headers() {
        assert_eq!(dimensions(&png_of(1280, 720)), Some((1280, 720)));
        let gif = b"GIF89a\x40\x01\xf0\x00\xf7\0\0";
        assert_eq!(dimensions(gif), Some((320, 240)));
    }

    #[test]
    fn jpeg_sides_come_from_the_frame_header_turned_by_exif_orientation() {
        assert_eq!(dimensions(&jpeg_of(800, 600, None)), Some((800, 600)));
        assert_eq!(dimensions(&jpeg_of(800, 600, Some(1))), Some((800, 600)));
        assert_eq!(dimensions(&jpeg_of(800, 600, Some(6))), Some((600, 800)));
    }

    #[test]
    fn webp_sides_come_from_lossy_lossless_and_extended_chunks() {
        let lossy = [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00];
        assert_eq!(dimensions(&webp_of(b"VP8 ", &lossy)), Some((320, 240)));
        // 320-1 and 240-1 packed in 14 bits each.
        let bits: u32 = 319 | (239 << 14);
        let mut lossless = vec![0x2F];
        lossless.extend(bits.to_le_bytes());
        assert_eq!(dimensions(&webp_of(b"VP8L", &lossless)), Some((320, 240)));
        let extended = [0x10, 0, 0, 0, 0x3F, 0x01, 0x00, 0xEF, 0x00, 0x00];
        assert_eq!(dimensions(&webp_of(b"VP8X", &extended)), Some((320, 240)));
    }

    #[test]
    fn svg_sides_come_from_width_height_or_the_view_box() {
        let svg = |root: &str| {
            dimensions(
                format!(
                    "<?xml version=\"1.0\"?>\n<!-- drawn -->\n<!DOCTYPE svg>\n{root}<rect/></svg>"
                )
                .as_bytes(),
            )
        };
        assert_eq!(
            svg(r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40px">"#),
            Some((120, 40))
        );
        assert_eq!(svg(r#"<svg viewBox="0 0 300 150">"#), Some((300, 150)));
        assert_eq!(
            svg(r#"<svg width='600' viewBox="0,0,300,150">"#),
            Some((600, 300))
        );
        assert_eq!(
            svg(r#"<svg height="75" viewBox="0 0 300 150">"#),
            Some((150, 75))
        );
        assert_eq!(svg(r#"<svg width="100%" height="100%">"#), None);
        assert_eq!(
            svg(r#"<svg width="10em" viewBox="0 0 30 15">"#),
            Some((30, 15))
        );
        assert_eq!(svg(r#"<svg:svg width="8" height="9">"#), Some((8, 9)));
        assert_eq!(svg(r#"<html width="8" height="9">"#), None);
    }

    #[test]
    fn truncated_and_lying_headers_give_nothing_and_never_panic() {
        let png = png_of(1280, 720);
        let jpeg = jpeg_of(800, 600, Some(6));
        let lossless = webp_of(b"VP8L", &[0x2F, 1, 2, 3, 4]);
        for whole in [
            &png[..],
            &jpeg[..],
            &lossless[..],
            b"GIF89a\x40\x01\xf0\x00",
        ] {
            for end in 0..whole.len() {
                let _ = dimensions(&whole[..end]);
            }
        }
        assert_eq!(dimensions(&png[..20]), None);
        assert_eq!(dimensions(&png_of(0, 10)), None);
        assert_eq!(dimensions(&png_of(u32::MAX, 10)), None);
        assert_eq!(dimensions(&png_of(MAX_SIDE + 1, 10)), None);
        // A segment length of 0 or 1, and one running past the end.
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0, 0]), None);
        assert_eq!(dimensions(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0]), None);
        // An EXIF directory pointing far outside the segment, with a huge entry count.
        let mut exif = vec![0xFF, 0xD8, 0xFF, 0xE1, 0, 20];
        exif.extend(b"Exif\0\0II\x2a\0\xff\xff\xff\x7f\xff\xff\0\0");
        exif.extend([0xFF, 0xC0, 0, 11, 8, 0, 10, 0, 20, 3, 0, 0, 0]);
        assert_eq!(dimensions(&exif), Some((20, 10)));
        // Only fill bytes.
        let mut fill = vec![0xFF, 0xD8];
        fill.extend(std::iter::repeat_n(0xFF, 10_000));
        assert_eq!(dimensions(&fill), None);
        assert_eq!(dimensions(b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0"), None);
        assert_eq!(dimensions(b"<svg width=\"1e400\" height=\"2\">"), None);
        assert_eq!(dimensions(b"<svg viewBox=\"0 0 -3 4\">"), None);
        assert_eq!(dimensions(b"<svg width=\"5\" height"), None);
        assert_eq!(
            dimensions(b"<!-- never closed <svg width=\"5\" height=\"5\">"),
            None
        );
        assert_eq!(
            dimensions("<svg width=\"5\u{e9}\" height=\"5\">".as_bytes()),
            None
        );
        assert_eq!(dimensions(b"\xff\xfe<svg"), None);
        assert_eq!(dimensions(b""), None);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_any_signature_never_panic(
            signature in 0usize..6,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let heads: [&[u8]; 6] = [
                b"\x89PNG\r\n\x1a\n",
                b"GIF89a",
                &[0xFF, 0xD8, 0xFF],
                b"RIFF\0\0\0\0WEBPVP8X",
                b"<svg ",
                b"RIFF\0\0\0\0WEBPVP8L",
            ];
            let mut bytes = heads[signature].to_vec();
            bytes.extend(tail);
            let _ = dimensions(&bytes);
        }
    }
}
