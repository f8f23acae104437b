//! Product pictures (docs/images.md), on both backends: an upload is served at every size, upright,
//! without its metadata, with immutable caching and ETags; pictures are listed in the product,
//! reordered, given alt text (screened by the claims filter, per locale through translations)
//! and deleted; every bad upload is refused with its code and stores nothing; concurrent
//! uploads and deletes of one picture leave exactly the files the pictures name.

use std::collections::BTreeSet;
use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::Method;
use serde_json::{json, Value};
use silkstream_catalog::images::Files;
use silkstream_e2e::{
    backend_tests, sample_product, spawn_app, spawn_app_with, Backend, Reply, TestApp,
};

backend_tests!(
    an_upload_is_served_at_every_size_upright_and_without_its_metadata,
    every_bad_upload_is_refused_and_stores_nothing,
    pictures_are_reordered_described_and_deleted,
    concurrent_uploads_and_deletes_leave_exactly_the_named_files,
    a_served_picture_comes_from_memory_until_it_is_deleted,
);

// ---- pictures made here (no downloads) -----------------------------------------------------

/// A photo-like opaque picture: a gradient whose colours depend on `seed`.
fn photo(width: u32, height: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8 ^ seed,
            (y * 255 / height) as u8,
            seed.wrapping_mul(37),
        ])
    })
}

fn encode(picture: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    encode(
        DynamicImage::ImageRgb8(photo(width, height, seed)),
        ImageFormat::Jpeg,
    )
}

/// An EXIF block (big-endian TIFF) with Orientation 6 (the camera was turned: rotate 90°
/// clockwise to show it) and a GPS position (43°15′ N: Almaty).
fn exif_with_gps() -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&kind.to_be_bytes());
        t.extend_from_slice(&count.to_be_bytes());
        t.extend_from_slice(&value);
    };
    // IFD0 at 8: Orientation, GPSInfo → 38.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD at 38: GPSLatitudeRef "N", GPSLatitude → 68.
    t.extend_from_slice(&2u16.to_be_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 68u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    for (n, d) in [(43u32, 1u32), (15, 1), (0, 1)] {
        t.extend_from_slice(&n.to_be_bytes());
        t.extend_from_slice(&d.to_be_bytes());
    }
    assert_eq!(t.len(), 92);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&t);
    app1
}

/// A JPEG of `width` × `height` stored pixels carrying [`exif_with_gps`] right after its SOI.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height, 7);
    let app1 = exif_with_gps();
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The marker bytes of a JPEG's segments before its image data.
fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    assert_eq!(&bytes[..2], [0xFF, 0xD8], "a JPEG starts with SOI");
    let mut markers = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xFF {
        let marker = bytes[i + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        i += 2 + len;
    }
    markers
}

/// A PNG whose header declares `width` × `height` pixels and holds almost no data (a
/// decompression bomb's shape: the pixels would be gigabytes).
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

// ---- requests ------------------------------------------------------------------------------

/// One part of a multipart form: name, file name (for a file part) and bytes.
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "silkstream-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload_parts(app: &TestApp, product_id: i64, parts: &[Part<'_>]) -> Reply {
    let (content_type, body) = multipart(parts);
    app.raw(
        Method::POST,
        &format!("/api/v1/products/{product_id}/images"),
        Some(&content_type),
        body,
    )
    .await
}

async fn upload(app: &TestApp, product_id: i64, file: Vec<u8>, alt: &str) -> Reply {
    upload_parts(
        app,
        product_id,
        &[
            ("file", Some("photo.jpg"), file),
            ("alt", None, alt.as_bytes().to_vec()),
        ],
    )
    .await
}

/// `DELETE /api/v1/products/{product_id}/images/{image_id}` as the admin. `image_id` is a
/// picture's `id` as JSON or a number.
async fn delete(app: &TestApp, product_id: i64, image_id: impl std::fmt::Display) -> Reply {
    app.request(
        Method::DELETE,
        &format!("/api/v1/products/{product_id}/images/{image_id}"),
        Some(&app.admin),
        None,
    )
    .await
}

async fn product(app: &TestApp) -> Value {
    app.create_product(&sample_product()).await
}

/// A served file: status, headers and bytes, with an optional `If-None-Match`.
async fn fetch(app: &TestApp, url: &str, etag: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(format!("{}{url}", app.base));
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    req.send().await.expect("request reaches the server")
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The pictures' files the store holds: the folder's names (SQLite) or `image_files` (the
/// database store).
async fn stored_files(app: &TestApp) -> BTreeSet<String> {
    match silkstream_catalog::db::sqlite_file(&app.test_db.url) {
        Some(file) => {
            let files = Files::Folder(Files::folder_beside(&file));
            files
                .folder_names()
                .expect("read the folder")
                .into_iter()
                .collect()
        }
        None => {
            let rows: Vec<(String,)> = sqlx::query_as("SELECT name FROM image_files")
                .fetch_all(app.db.reader())
                .await
                .expect("read image_files");
            rows.into_iter().map(|(n,)| n).collect()
        }
    }
}

/// The files the pictures' rows name: every size of every counted blob.
async fn named_files(app: &TestApp) -> BTreeSet<String> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, ext FROM image_blobs")
        .fetch_all(app.db.reader())
        .await
        .expect("read image_blobs");
    rows.into_iter()
        .flat_map(|(key, ext)| {
            ["thumb", "phone", "large"]
                .into_iter()
                .map(move |size| format!("{key}-{size}.{ext}"))
        })
        .collect()
}

/// Every blob's count is the number of pictures showing it, and the store holds exactly the
/// files the blobs name.
async fn assert_no_orphans(app: &TestApp) {
    let wrong = app
        .scalar(
            "SELECT COUNT(*) FROM image_blobs b WHERE b.refs <> \
             (SELECT COUNT(*) FROM product_images i WHERE i.key = b.key)",
        )
        .await;
    assert_eq!(
        wrong, 0,
        "a blob's refs differ from the pictures that show it"
    );
    let unshown = app
        .scalar(
            "SELECT COUNT(*) FROM image_blobs b WHERE NOT EXISTS \
             (SELECT 1 FROM product_images i WHERE i.key = b.key)",
        )
        .await;
    assert_eq!(unshown, 0, "a blob no picture shows");
    assert_eq!(stored_files(app).await, named_files(app).await);
}

// ---- the tests -----------------------------------------------------------------------------

async fn an_upload_is_served_at_every_size_upright_and_without_its_metadata(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = product(&app).await;
    let id = p["id"].as_i64().expect("id");
    let original = jpeg_with_gps(2000, 1000);
    assert!(
        jpeg_markers(&original).contains(&0xE1),
        "the upload carries EXIF"
    );

    let reply = upload(&app, id, original, "Грудинка на разделочной доске")
        .await
        .expect(201);
    let image = reply.body;
    // Orientation 6: the stored 2000 × 1000 pixels are shown 1000 wide, 2000 high.
    assert_eq!(
        (image["width"].as_i64(), image["height"].as_i64()),
        (Some(1000), Some(2000))
    );
    assert_eq!(image["alt"], "Грудинка на разделочной доске");
    assert_eq!(image["position"], 1);
    assert_eq!(image["variant_id"], Value::Null);
    assert_eq!(image["warnings"], json!([]));

    for (size, side) in [("thumb", 160u32), ("phone", 720), ("large", 1600)] {
        let url = image["urls"][size].as_str().expect("url").to_owned();
        assert!(
            url.starts_with("/api/v1/images/") && url.ends_with(&format!("-{size}.jpg")),
            "{url}"
        );
        // No token: an <img> cannot send one.
        let resp = fetch(&app, &url, None).await;
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(header(&resp, "content-type"), "image/jpeg");
        assert_eq!(
            header(&resp, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let etag = header(&resp, "etag");
        assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");
        let bytes = resp.bytes().await.expect("bytes").to_vec();
        let markers = jpeg_markers(&bytes);
        assert!(
            !markers.contains(&0xE1),
            "no EXIF/XMP segment in {size}: {markers:x?}"
        );
        assert!(
            !bytes.windows(4).any(|w| w == b"Exif"),
            "no Exif bytes in {size}"
        );
        let served = image::load_from_memory(&bytes).expect("decodes");
        // Upright and scaled to `side` on the long edge, the shape kept.
        assert_eq!(served.height(), side.min(2000), "{size}");
        assert_eq!(served.width(), side.min(2000) / 2, "{size}");

        let again = fetch(&app, &url, Some(&etag)).await;
        assert_eq!(again.status(), 304, "{url} with If-None-Match");
        assert_eq!(header(&again, "etag"), etag);
        let other = fetch(&app, &url, Some("\"something-else\"")).await;
        assert_eq!(other.status(), 200);
    }

    // The product carries its pictures; a PNG with transparency stays a PNG.
    let clear = RgbaImage::from_fn(300, 200, |x, _| {
        Rgba([200, 30, 30, if x < 150 { 0 } else { 255 }])
    });
    let png = encode(DynamicImage::ImageRgba8(clear), ImageFormat::Png);
    let second = upload_parts(
        &app,
        id,
        &[
            ("file", Some("logo.png"), png),
            (
                "variant_id",
                None,
                p["variants"][1]["id"].to_string().into_bytes(),
            ),
        ],
    )
    .await
    .expect(201)
    .body;
    assert!(second["urls"]["thumb"]
        .as_str()
        .expect("url")
        .ends_with("-thumb.png"));
    assert_eq!(second["variant_id"], p["variants"][1]["id"]);
    let resp = fetch(&app, second["urls"]["large"].as_str().expect("url"), None).await;
    assert_eq!(header(&resp, "content-type"), "image/png");
    let served = image::load_from_memory(&resp.bytes().await.expect("bytes")).expect("decodes");
    assert_eq!(
        (served.width(), served.height()),
        (300, 200),
        "never enlarged"
    );
    assert!(served.color().has_alpha());

    // A WebP upload is taken too (served as JPEG: it is opaque).
    let webp = encode(DynamicImage::ImageRgb8(photo(64, 48, 3)), ImageFormat::WebP);
    let third = upload(&app, id, webp, "").await.expect(201).body;
    assert!(third["urls"]["phone"]
        .as_str()
        .expect("url")
        .ends_with("-phone.jpg"));

    let read = app
        .get(
            &format!("/api/v1/products/{id}?locale=kk&currency=KZT"),
            &app.admin,
        )
        .await
        .expect(200)
        .body;
    let ids: Vec<i64> = read["images"]
        .as_array()
        .expect("images")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            image["id"].as_i64().expect("id"),
            second["id"].as_i64().expect("id"),
            third["id"].as_i64().expect("id")
        ]
    );
    assert_eq!(read["images"][0]["urls"], image["urls"]);
    let listed = app
        .get(&format!("/api/v1/products/{id}/images"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(listed, read["images"]);
    // Any reader role lists them; only an admin uploads.
    let buyer = app.token("buyer").await;
    app.get(&format!("/api/v1/products/{id}/images"), &buyer)
        .await
        .expect(200);
    let (content_type, body) = multipart(&[("file", Some("a.jpg"), jpeg(40, 30, 1))]);
    let refused = app
        .client
        .post(format!("{}/api/v1/products/{id}/images", app.base))
        .bearer_auth(&buyer)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 403);
    assert_no_orphans(&app).await;
}

async fn every_bad_upload_is_refused_and_stores_nothing(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.images_max_bytes = 200_000).await;
    let p = product(&app).await;
    let id = p["id"].as_i64().expect("id");
    let other = app
        .create_product(&json!({
            "merchant": "Brest Meat Export LLC", "category": "food.meat", "hs_code": "020230",
            "origin_country": "BY", "weight_g": 500, "source_locale": "ru",
            "title": "Говядина", "description": "Говядина.",
            "variants": [{"sku": "BEEF-OTHER-1", "prices": {"CNY": 100}}]
        }))
        .await;
    let before = app.table_counts().await;
    let files_before = stored_files(&app).await;

    let good = jpeg(64, 48, 9);
    let mut truncated = jpeg(400, 300, 5);
    truncated.truncate(truncated.len() / 2);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#.to_vec();
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    // Over the limit: random-looking bytes after a JPEG's start, 250 kB.
    let mut big = jpeg(64, 48, 2);
    big.extend((0..250_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));

    let cases: Vec<(&str, Vec<Part<'_>>, u16, &str)> = vec![
        (
            "text",
            vec![(
                "file",
                Some("notes.jpg"),
                b"just some text, named .jpg".to_vec(),
            )],
            422,
            "image_format_unsupported",
        ),
        (
            "svg",
            vec![("file", Some("logo.svg"), svg)],
            422,
            "image_format_unsupported",
        ),
        (
            "gif",
            vec![("file", Some("a.gif"), gif)],
            422,
            "image_format_unsupported",
        ),
        (
            "truncated jpeg",
            vec![("file", Some("cut.jpg"), truncated)],
            422,
            "image_undecodable",
        ),
        (
            "bomb",
            vec![("file", Some("bomb.png"), png_declaring(60_000, 60_000))],
            422,
            "image_too_many_pixels",
        ),
        (
            "wide",
            vec![("file", Some("wide.png"), png_declaring(20_000, 10))],
            422,
            "image_too_many_pixels",
        ),
        (
            "over the limit",
            vec![("file", Some("big.jpg"), big)],
            413,
            "too_large",
        ),
        (
            "empty file",
            vec![("file", Some("e.jpg"), Vec::new())],
            422,
            "invalid",
        ),
        (
            "no file part",
            vec![("alt", None, b"x".to_vec())],
            422,
            "invalid",
        ),
        (
            "two files",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                ("file", Some("b.jpg"), good.clone()),
            ],
            422,
            "invalid",
        ),
        (
            "unknown part",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                ("caption", None, b"x".to_vec()),
            ],
            422,
            "invalid",
        ),
        (
            "bad variant",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                ("variant_id", None, b"abc".to_vec()),
            ],
            422,
            "invalid",
        ),
        (
            "another product's variant",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                (
                    "variant_id",
                    None,
                    other["variants"][0]["id"].to_string().into_bytes(),
                ),
            ],
            422,
            "invalid",
        ),
        (
            "alt over 250",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                ("alt", None, "а".repeat(251).into_bytes()),
            ],
            422,
            "invalid",
        ),
        (
            "blocked alt",
            vec![
                ("file", Some("a.jpg"), good.clone()),
                ("alt", None, "Лучший мёд".as_bytes().to_vec()),
            ],
            422,
            "claims_blocked",
        ),
    ];
    for (what, parts, status, code) in cases {
        let reply = upload_parts(&app, id, &parts).await;
        assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.text);
        assert_eq!(reply.code(), code, "{what}: {}", reply.text);
        assert!(
            !reply.body["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{what}"
        );
        assert_eq!(app.table_counts().await, before, "{what} changed nothing");
        assert_eq!(
            stored_files(&app).await,
            files_before,
            "{what} stored no file"
        );
    }
    // Not a multipart form at all; a product that does not exist.
    let reply = app
        .raw(
            Method::POST,
            &format!("/api/v1/products/{id}/images"),
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (422, "invalid"),
        "{}",
        reply.text
    );
    let reply = upload(&app, 999_999, good.clone(), "").await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (404, "not_found"),
        "{}",
        reply.text
    );
    // A name the server could not have made, one it could but did not: 404 without a read.
    for name in [
        "../../etc/passwd",
        "x.jpg",
        &format!("{}-thumb.jpg", "0".repeat(32)),
        &format!("{}-huge.jpg", "a".repeat(32)),
    ] {
        let resp = fetch(&app, &format!("/api/v1/images/{name}"), None).await;
        assert_eq!(resp.status(), 404, "{name}");
    }
    assert_eq!(app.table_counts().await, before);
    assert_eq!(stored_files(&app).await, files_before);
    // Only then does a good one go in.
    upload(&app, id, good, "").await.expect(201);
    assert_no_orphans(&app).await;
}

async fn pictures_are_reordered_described_and_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let p = product(&app).await;
    let id = p["id"].as_i64().expect("id");
    let mut ids = Vec::new();
    for seed in 1..=3u8 {
        let image = upload(&app, id, jpeg(120, 90, seed), &format!("Фото {seed}"))
            .await
            .expect(201)
            .body;
        ids.push(image["id"].as_i64().expect("id"));
    }
    let order_path = format!("/api/v1/products/{id}/images/order");
    let reordered = app
        .put(
            &order_path,
            &app.admin,
            &json!({"image_ids": [ids[2], ids[0], ids[1]]}),
        )
        .await
        .expect(200)
        .body;
    let got: Vec<(i64, i64)> = reordered
        .as_array()
        .expect("list")
        .iter()
        .map(|i| {
            (
                i["id"].as_i64().expect("id"),
                i["position"].as_i64().expect("position"),
            )
        })
        .collect();
    assert_eq!(got, [(ids[2], 1), (ids[0], 2), (ids[1], 3)]);
    // An order that leaves one out, names one twice or one of another product: refused.
    for bad in [
        json!({"image_ids": [ids[2], ids[0]]}),
        json!({"image_ids": [ids[2], ids[0], ids[0]]}),
        json!({"image_ids": [ids[2], ids[0], ids[1], 999_999]}),
    ] {
        let reply = app.put(&order_path, &app.admin, &bad).await;
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (422, "invalid"),
            "{bad}: {}",
            reply.text
        );
    }
    assert_eq!(
        app.get(&format!("/api/v1/products/{id}/images"), &app.admin)
            .await
            .expect(200)
            .body,
        reordered
    );

    // Alt text and the variant it shows; a blocked alt changes nothing.
    let image_path = format!("/api/v1/products/{id}/images/{}", ids[0]);
    let variant = p["variants"][0]["id"].as_i64().expect("variant");
    let changed = app
        .patch(
            &image_path,
            &app.admin,
            &json!({"alt": "Грудинка крупным планом", "variant_id": variant}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        (changed["alt"].as_str(), changed["variant_id"].as_i64()),
        (Some("Грудинка крупным планом"), Some(variant))
    );
    let reply = app
        .patch(&image_path, &app.admin, &json!({"alt": "Лучший мёд"}))
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (422, "claims_blocked"),
        "{}",
        reply.text
    );
    let cleared = app
        .patch(&image_path, &app.admin, &json!({"variant_id": null}))
        .await
        .expect(200)
        .body;
    assert_eq!(
        (cleared["alt"].as_str(), cleared["variant_id"].clone()),
        (Some("Грудинка крупным планом"), Value::Null)
    );
    let reply = app
        .patch(
            &format!("/api/v1/products/{id}/images/999999"),
            &app.admin,
            &json!({"alt": "x"}),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 404, "{}", reply.text);

    // Alt text per locale, through the translation and its claims filter.
    let kk = json!({"title": "Мұздатылған сиыр еті", "description": "Брест облысының сиыр еті.",
                    "image_alts": {ids[0].to_string(): "Төс еті жақыннан"}});
    let translation = app
        .put(
            &format!("/api/v1/products/{id}/translations/kk"),
            &app.admin,
            &kk,
        )
        .await
        .expect(200)
        .body;
    assert_eq!(
        translation["image_alts"][ids[0].to_string()],
        "Төс еті жақыннан"
    );
    let read = app
        .get(&format!("/api/v1/products/{id}?locale=kk"), &app.admin)
        .await
        .expect(200)
        .body;
    let shown = read["images"]
        .as_array()
        .expect("images")
        .iter()
        .find(|i| i["id"] == ids[0])
        .expect("the picture")
        .clone();
    assert_eq!(shown["alts"], json!({"kk": "Төс еті жақыннан"}));
    let bad = json!({"title": "Мұздатылған сиыр еті", "description": "Сиыр еті.", "image_alts": {"999999": "x"}});
    let reply = app
        .put(
            &format!("/api/v1/products/{id}/translations/kk"),
            &app.admin,
            &bad,
        )
        .await;
    assert_eq!(
        (reply.status.as_u16(), reply.code()),
        (422, "invalid"),
        "{}",
        reply.text
    );
    let blocked = json!({"title": "Сиыр еті", "description": "Сиыр еті.", "image_alts": {ids[0].to_string(): "Лучший"}});
    let reply = app
        .put(
            &format!("/api/v1/products/{id}/translations/ru"),
            &app.admin,
            &blocked,
        )
        .await;
    assert_eq!(reply.status.as_u16(), 422, "{}", reply.text);

    // The same picture on two products is stored once; its files go with the last picture.
    let q = product_copy(&app).await;
    let shared = jpeg(100, 100, 42);
    let a = upload(&app, id, shared.clone(), "").await.expect(201).body;
    let b = upload(&app, q, shared, "").await.expect(201).body;
    assert_eq!(a["urls"], b["urls"]);
    let url = a["urls"]["phone"].as_str().expect("url").to_owned();
    delete(&app, id, &a["id"]).await.expect(204);
    assert_eq!(
        fetch(&app, &url, None).await.status(),
        200,
        "the other product still shows it"
    );
    delete(&app, q, &b["id"]).await.expect(204);
    assert_eq!(
        fetch(&app, &url, None).await.status(),
        404,
        "gone with the last picture"
    );
    let reply = delete(&app, q, &b["id"]).await;
    assert_eq!(reply.status.as_u16(), 404);
    // A picture of one product cannot be deleted through another's path.
    let reply = delete(&app, q, &ids[1]).await;
    assert_eq!(reply.status.as_u16(), 404);

    let removed = app
        .get(&format!("/api/v1/products/{id}/images"), &app.admin)
        .await
        .expect(200)
        .body;
    let first_url = removed[0]["urls"]["thumb"]
        .as_str()
        .expect("url")
        .to_owned();
    delete(&app, id, &removed[0]["id"]).await.expect(204);
    assert_eq!(fetch(&app, &first_url, None).await.status(), 404);
    let left = app
        .get(&format!("/api/v1/products/{id}"), &app.admin)
        .await
        .expect(200)
        .body;
    assert_eq!(left["images"].as_array().expect("images").len(), 2);
    assert_no_orphans(&app).await;
}

async fn product_copy(app: &TestApp) -> i64 {
    let mut body = sample_product();
    body["variants"] = json!([{"sku": "BEEF-COPY-1", "prices": {"CNY": 100}}]);
    app.create_product(&body).await["id"].as_i64().expect("id")
}

/// Uploads and deletes of the same picture at once, on two products: on PostgreSQL they race
/// on the blob's row (READ COMMITTED), on SQLite they queue on the writer. At the end each
/// blob's count is the number of pictures that show it and the store holds exactly their files.
async fn concurrent_uploads_and_deletes_leave_exactly_the_named_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = product(&app).await["id"].as_i64().expect("id");
    let second = product_copy(&app).await;
    let pictures = [jpeg(200, 150, 11), jpeg(200, 150, 12)];
    for round in 0..4 {
        // Some pictures to delete while others are uploaded.
        let mut existing = Vec::new();
        for (i, picture) in pictures.iter().enumerate() {
            let on = if i % 2 == 0 { first } else { second };
            let image = upload(&app, on, picture.clone(), "").await.expect(201).body;
            existing.push((on, image["id"].as_i64().expect("id")));
        }
        let mut tasks = Vec::new();
        for (on, image_id) in existing {
            let app = &app;
            tasks.push(Box::pin(async move {
                delete(app, on, image_id).await.expect(204);
            })
                as std::pin::Pin<
                    Box<dyn std::future::Future<Output = ()> + Send + '_>,
                >);
        }
        for k in 0..6 {
            let app = &app;
            let picture = pictures[k % 2].clone();
            let on = if k % 3 == 0 { first } else { second };
            tasks.push(Box::pin(async move {
                upload(app, on, picture, "").await.expect(201);
            }));
        }
        futures_util::future::join_all(tasks).await;
        assert_no_orphans(&app).await;
        // Then delete everything but one picture per round's end, all at once.
        let mut deletes = Vec::new();
        for on in [first, second] {
            let list = app
                .get(&format!("/api/v1/products/{on}/images"), &app.admin)
                .await
                .expect(200)
                .body;
            for image in list
                .as_array()
                .expect("list")
                .iter()
                .skip(usize::from(round % 2 == 0))
            {
                let app = &app;
                let image_id = image["id"].clone();
                deletes.push(async move {
                    delete(app, on, image_id).await.expect(204);
                });
            }
        }
        futures_util::future::join_all(deletes).await;
        assert_no_orphans(&app).await;
        for on in [first, second] {
            for image in app
                .get(&format!("/api/v1/products/{on}/images"), &app.admin)
                .await
                .expect(200)
                .body
                .as_array()
                .expect("list")
            {
                for size in ["thumb", "phone", "large"] {
                    let url = image["urls"][size].as_str().expect("url");
                    assert_eq!(fetch(&app, url, None).await.status(), 200, "{url}");
                }
            }
        }
    }
}

/// A file served once is served again from the instance's memory, even when the store lost it
/// behind the server's back (the test removes it from the folder or the table); deleting the
/// picture through the API drops it from memory too.
async fn a_served_picture_comes_from_memory_until_it_is_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = product(&app).await["id"].as_i64().expect("id");
    let image = upload(&app, id, jpeg(300, 200, 21), "")
        .await
        .expect(201)
        .body;
    let url = image["urls"]["phone"].as_str().expect("url").to_owned();
    let name = url.rsplit('/').next().expect("name").to_owned();
    let first = fetch(&app, &url, None).await;
    assert_eq!(first.status(), 200);
    let bytes = first.bytes().await.expect("bytes");

    match silkstream_catalog::db::sqlite_file(&app.test_db.url) {
        Some(file) => {
            std::fs::remove_file(Files::folder_beside(&file).join(&name)).expect("remove the file")
        }
        None => {
            let gone = app
                .execute(&format!("DELETE FROM image_files WHERE name = '{name}'"))
                .await;
            assert_eq!(gone, 1);
        }
    }
    assert!(
        !stored_files(&app).await.contains(&name),
        "the store lost it"
    );
    let again = fetch(&app, &url, None).await;
    assert_eq!(again.status(), 200, "served from memory");
    assert_eq!(again.bytes().await.expect("bytes"), bytes);

    delete(&app, id, &image["id"]).await.expect(204);
    assert_eq!(
        fetch(&app, &url, None).await.status(),
        404,
        "forgotten with the picture"
    );
    assert_no_orphans(&app).await;
}
