//! What an upload becomes: the bytes are decoded (the format is read from the bytes, never from
//! the name or the `Content-Type`), checked against the size and pixel limits before any pixel
//! is decoded, turned upright by the EXIF orientation, and re-encoded at the sizes the pages
//! need. Nothing of the upload but its pixels survives: EXIF (a phone's GPS position, the
//! camera's serial number), XMP, ICC profiles and comments are gone, because the served files
//! are encoded from decoded pixels.
//!
//! Accepted: JPEG, PNG and WebP. Served: JPEG (quality 82) for an opaque picture, PNG for one
//! with transparent pixels. Not WebP: the `image` crate's WebP encoder is lossless only, and a
//! lossless WebP of a photo is several times the JPEG's size, so a "WebP with JPEG fallback"
//! would serve the larger file to the browsers that take WebP.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// The sizes every picture is served at: the name in its URL and the longest side in pixels (a
/// picture smaller than that is not enlarged).
pub const SIZES: [(&str, u32); 3] = [("thumb", 160), ("phone", 720), ("large", 1600)];

/// What the pipeline refuses beyond the byte limit (which the route applies while reading).
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Most pixels (width × height) of an upload: its header is read first, so a small file
    /// that declares huge dimensions (a decompression bomb) is refused before decoding.
    pub max_pixels: u64,
    /// Longest side of an upload.
    pub max_side: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_pixels: 40_000_000,
            max_side: 12_000,
        }
    }
}

/// One served file of a picture.
#[derive(Debug, Clone)]
pub struct Derived {
    /// `thumb`, `phone` or `large`.
    pub size: &'static str,
    /// `jpg` or `png`.
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// A picture made from an upload.
#[derive(Debug, Clone)]
pub struct Processed {
    /// Hex SHA-256 of the upload's decoded, upright pixels (and their size): the same picture
    /// uploaded twice, with or without its metadata, is stored once.
    pub key: String,
    /// The upright picture's size.
    pub width: u32,
    pub height: u32,
    pub files: Vec<Derived>,
}

impl Processed {
    /// The served files' extension: `jpg`, or `png` for a picture with transparent pixels.
    pub fn ext(&self) -> &'static str {
        self.files.first().map_or("jpg", |f| f.ext)
    }
}

fn refused(code: &'static str, message: impl Into<String>) -> Error {
    Error::Unprocessable {
        code,
        message: message.into(),
        details: serde_json::Map::new(),
    }
}

/// Decodes, checks and re-encodes an upload. CPU-bound: call it off the async runtime
/// (`spawn_blocking`).
pub fn process(bytes: &[u8], limits: ImageLimits) -> Result<Processed, Error> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(Error::internal)?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        Some(other) => {
            return Err(refused(
                "image_format_unsupported",
                format!(
                    "the file is {}; upload a JPEG, PNG or WebP image",
                    other.extensions_str().first().unwrap_or(&"another format")
                ),
            ))
        }
        None => {
            return Err(refused(
                "image_format_unsupported",
                "the file is not a JPEG, PNG or WebP image (an SVG or any other file is refused)",
            ))
        }
    }
    // The JPEG decoder fills in what a cut file lacks (grey rows): a JPEG must be whole.
    if reader.format() == Some(ImageFormat::Jpeg) && !jpeg_is_whole(bytes) {
        return Err(refused(
            "image_undecodable",
            "the JPEG file is cut short (it has no end-of-image marker): upload the whole file",
        ));
    }
    let mut decode_limits = Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    // Room for the decoded pixels of the largest accepted picture (RGBA, 16-bit at most).
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    let mut reader = reader;
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels
        || width > limits.max_side
        || height > limits.max_side
    {
        return Err(too_many_pixels(width, height, limits));
    }
    if width == 0 || height == 0 {
        return Err(refused("image_undecodable", "the image has no pixels"));
    }
    let orientation = decoder.orientation().map_err(undecodable)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    picture.apply_orientation(orientation);
    let (width, height) = (picture.width(), picture.height());

    // 8-bit RGB, or RGBA when a pixel is not fully opaque: one conversion of the pixels.
    let picture = if picture.color().has_alpha() {
        let rgba = picture.into_rgba8();
        if rgba.pixels().all(|p| p.0[3] == u8::MAX) {
            DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(rgba).into_rgb8())
        } else {
            DynamicImage::ImageRgba8(rgba)
        }
    } else {
        DynamicImage::ImageRgb8(picture.into_rgb8())
    };
    let opaque = !picture.color().has_alpha();

    let mut hash = Sha256::new();
    hash.update(width.to_be_bytes());
    hash.update(height.to_be_bytes());
    hash.update([u8::from(opaque)]);
    hash.update(picture.as_bytes());
    let key = hex::encode(&hash.finalize()[..16]);

    // Largest size first, each scaled from the one before it (not every size from the whole
    // upload), and a size the picture already fits encoded from it without a copy.
    let mut files = Vec::with_capacity(SIZES.len());
    let mut previous: Option<DynamicImage> = None;
    for (size, side) in SIZES.into_iter().rev() {
        let source = previous.as_ref().unwrap_or(&picture);
        let resized = (source.width().max(source.height()) > side)
            .then(|| source.resize(side, side, image::imageops::FilterType::Lanczos3));
        let scaled = resized.as_ref().unwrap_or(source);
        let mut out = Vec::new();
        let ext = if opaque {
            scaled
                .write_with_encoder(JpegEncoder::new_with_quality(&mut out, 82))
                .map_err(Error::internal)?;
            "jpg"
        } else {
            scaled
                .write_with_encoder(PngEncoder::new(&mut out))
                .map_err(Error::internal)?;
            "png"
        };
        files.push(Derived {
            size,
            ext,
            width: scaled.width(),
            height: scaled.height(),
            bytes: out,
        });
        if resized.is_some() {
            previous = resized;
        }
    }
    // In the order of `SIZES`.
    files.reverse();
    Ok(Processed {
        key,
        width,
        height,
        files,
    })
}

/// True when a JPEG's image data ends with its end-of-image marker (FF D9): the segments
/// before the first start-of-scan are skipped by their lengths, and inside the entropy-coded
/// data a 0xFF byte is always followed by 0x00 or a restart marker, so FF D9 there is the real
/// end. Data after it (a phone's second picture) is allowed.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut i = 2;
    loop {
        // Fill bytes (FF FF …) may precede a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return false;
        };
        if marker == 0xDA {
            break;
        }
        let Some(len) = bytes.get(i + 2..i + 4) else {
            return false;
        };
        i += 2 + usize::from(u16::from_be_bytes([len[0], len[1]]));
    }
    bytes[i..].windows(2).any(|w| w == [0xFF, 0xD9])
}

fn too_many_pixels(width: u32, height: u32, limits: ImageLimits) -> Error {
    refused(
        "image_too_many_pixels",
        format!(
            "the image is {width} × {height} pixels; at most {} pixels and {} on a side are accepted",
            limits.max_pixels, limits.max_side
        ),
    )
}

fn undecodable(e: image::ImageError) -> Error {
    match e {
        image::ImageError::Limits(_) => refused(
            "image_too_many_pixels",
            "the image is larger than the pixel limits",
        ),
        image::ImageError::Unsupported(u) => refused(
            "image_format_unsupported",
            format!("this kind of image cannot be read: {u}"),
        ),
        other => refused(
            "image_undecodable",
            format!("the image cannot be decoded (a truncated or damaged file?): {other}"),
        ),
    }
}
