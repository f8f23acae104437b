//! The demo catalog's pictures, drawn here (no downloads, no files in the repository): for each
//! product, a still life of simple shapes in colours taken from its SKU, the first picture
//! for the product and one more per variant with a second colour. Made at load time from
//! pixels, then uploaded through the same pipeline as an admin's upload.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};

/// The side of a demo picture, in pixels.
const SIDE: u32 = 640;

/// Colours from a name: a background and two inks.
fn palette(name: &str) -> [[u8; 3]; 3] {
    let h = Sha256::digest(name.as_bytes());
    let pick = |i: usize| {
        // Light backgrounds, deep inks.
        [h[i], h[i + 1], h[i + 2]]
    };
    let light = |c: [u8; 3]| c.map(|v| 200 + v % 56);
    let deep = |c: [u8; 3]| c.map(|v| 30 + v % 150);
    [light(pick(0)), deep(pick(3)), deep(pick(6))]
}

/// A picture for `name` (a SKU, or a product's first SKU), encoded as a JPEG.
pub fn draw(name: &str) -> Vec<u8> {
    let [back, ink, accent] = palette(name);
    let h = Sha256::digest(name.as_bytes());
    let (cx, cy) = (
        f64::from(SIDE) * (0.35 + f64::from(h[9] % 30) / 100.0),
        f64::from(SIDE) * (0.40 + f64::from(h[10] % 20) / 100.0),
    );
    let radius = f64::from(SIDE) * (0.18 + f64::from(h[11] % 12) / 100.0);
    let stripe = 24 + u32::from(h[12] % 24);
    let picture = RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let (fx, fy) = (f64::from(x), f64::from(y));
        // A soft shadow under the "product" and a table edge.
        let d = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt();
        let shade = 1.0 - 0.25 * (fy / f64::from(SIDE));
        let table = y > SIDE * 3 / 4;
        let colour = if d < radius {
            // The product: a disc with a lit side.
            let lit = 1.0 + 0.35 * ((cx - fx) + (cy - fy)) / (2.0 * radius);
            ink.map(|v| (f64::from(v) * lit).clamp(0.0, 255.0) as u8)
        } else if d < radius * 1.08 {
            accent
        } else if table {
            if (x / stripe + y / stripe) % 2 == 0 {
                back.map(|v| v.saturating_sub(40))
            } else {
                back.map(|v| v.saturating_sub(25))
            }
        } else {
            back.map(|v| (f64::from(v) * shade) as u8)
        };
        Rgb(colour)
    });
    let mut out = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, ImageFormat::Jpeg)
        .map(|()| out.into_inner())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name draws its own picture, the same every time, and it is a JPEG the pipeline
    /// takes.
    #[test]
    fn a_name_draws_the_same_picture_and_another_a_different_one() {
        let a = draw("BEEF-BRISKET-1KG");
        assert_eq!(a, draw("BEEF-BRISKET-1KG"));
        assert_ne!(a, draw("BEEF-STRIP-1KG"));
        assert_eq!(&a[..2], [0xFF, 0xD8]);
        let picture = silkstream_catalog::images::process::process(&a, Default::default())
            .expect("the pipeline takes it");
        assert_eq!((picture.width, picture.height), (SIDE, SIDE));
    }
}
