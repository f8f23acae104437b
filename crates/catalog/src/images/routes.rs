//! The pictures' routes: upload (multipart), list, change, reorder and delete under a product
//! (admin), and the served files under `/api/v1/images/{name}`, which need no token (an `<img>`
//! cannot send one, and a picture shows only what the product's page shows).

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ImageOrder, ImagePatch, ProductImage, MAX_ALT};
use crate::auth::{Admins, Authorized, Principal, Role};
use crate::claims::{self, Warned};
use crate::error::{Error, ErrorBody, Result};
use crate::extract::{if_none_match, ApiJson, ApiPath};
use crate::store::CatalogStore;

/// The pictures' router.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    CatalogStore: FromRef<S>,
{
    OpenApiRouter::new()
        // The upload counts its own bytes against the pictures' limit (`ImageStore::max_bytes`),
        // which is larger than the JSON routes' body limit.
        .routes(routes!(upload_image))
        .layer(DefaultBodyLimit::disable())
        .routes(routes!(list_images))
        .routes(routes!(update_image, delete_image))
        .routes(routes!(reorder_images))
        .routes(routes!(serve_image))
}

const READERS: &[Role] = &[Role::Admin, Role::Host, Role::Buyer, Role::Operator];

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ImageUpload {
    /// The picture: JPEG, PNG or WebP, at most `images_max_bytes`.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    /// Alt text in the product's source locale (screened like a title).
    alt: Option<String>,
    /// The variant it shows; absent for the whole product.
    variant_id: Option<i64>,
}

/// What the form held.
struct Upload {
    file: Vec<u8>,
    alt: String,
    variant_id: Option<i64>,
}

fn form(message: impl Into<String>) -> Error {
    Error::invalid("body", message)
}

/// Reads the form, counting every byte against `max` (413 past it).
async fn read_upload(mut multipart: Multipart, max: usize) -> Result<Upload> {
    let mut file = None;
    let mut alt = None;
    let mut variant_id = None;
    let mut read = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let mut field = field;
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    read += chunk.len();
                    if read > max {
                        return Err(Error::TooLarge);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(multipart_error(e)),
            }
        }
        let seen = match name.as_str() {
            "file" => file.replace(bytes).is_some(),
            "alt" => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| Error::invalid("alt", "alt text must be UTF-8"))?;
                alt.replace(text).is_some()
            }
            "variant_id" => {
                let id = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .filter(|id| *id > 0)
                    .ok_or_else(|| {
                        Error::invalid("variant_id", "a variant's id (a positive integer)")
                    })?;
                variant_id.replace(id).is_some()
            }
            other => {
                return Err(form(format!(
                    "unknown part `{other}`: the form has `file`, `alt` and `variant_id`"
                )))
            }
        };
        if seen {
            return Err(form(format!("the part `{name}` is sent twice")));
        }
    }
    let file = file.ok_or_else(|| Error::invalid("file", "the form has no `file` part"))?;
    if file.is_empty() {
        return Err(Error::invalid("file", "the file is empty"));
    }
    let alt = match alt {
        Some(a) => clean_alt(&a)?,
        None => String::new(),
    };
    Ok(Upload {
        file,
        alt,
        variant_id,
    })
}

/// Alt text as stored: one clean line of at most [`MAX_ALT`] characters, or empty.
fn clean_alt(alt: &str) -> Result<String> {
    if alt.trim().is_empty() {
        Ok(String::new())
    } else {
        crate::text::line("alt", alt, MAX_ALT)
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Error::TooLarge;
    }
    form(format!(
        "the multipart form cannot be read: {}",
        e.body_text()
    ))
}

fn multipart_rejection(r: MultipartRejection) -> Error {
    form(format!(
        "send the picture as multipart/form-data with a `file` part ({})",
        r.body_text()
    ))
}

/// Adds a picture to a product, or to one of its variants (admin): a multipart form with
/// `file` (JPEG, PNG or WebP; its format is read from its bytes), optional `alt` and
/// `variant_id`. Metadata (EXIF, GPS) is dropped; sizes `thumb`, `phone` and `large` are made.
/// Refused: 413 `too_large` over the size limit; 422 `image_format_unsupported` (an SVG, a
/// PDF, anything not JPEG, PNG or WebP), `image_undecodable` (a truncated or damaged file),
/// `image_too_many_pixels` (dimensions over the limit, checked before decoding); and the
/// claims filter's 422 `claims_blocked` for the alt text. Nothing is stored when refused.
#[utoipa::path(post, path = "/api/v1/products/{id}/images", tag = "images",
    params(("id" = i64, Path, description = "product id")),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = ProductImage), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn upload_image(
    State(store): State<CatalogStore>,
    Authorized(by, _): Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, ApiJson<Warned<ProductImage>>)> {
    let multipart = multipart.map_err(multipart_rejection)?;
    let upload = read_upload(multipart, store.images().max_bytes).await?;
    let act = alt_act(&by, id);
    let screening = screen_alt(&store, &act, id, &upload.alt).await?;
    let picture = store.images().process(upload.file).await?;
    let image = store
        .add_image(
            id,
            upload.variant_id,
            &upload.alt,
            &picture,
            Some(&screening.pending(&act)),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(Warned {
            inner: image,
            warnings: screening.warnings(),
        }),
    ))
}

/// A write of a product's alt text, for the claims filter's evidence.
fn alt_act(by: &Principal, product_id: i64) -> claims::Act<'_> {
    claims::Act {
        by,
        operation: "image.alt",
        subject_kind: "product",
        subject_id: Some(product_id),
    }
}

/// The claims filter on alt text in the product's source locale (404 when there is no such
/// product); nothing to screen when it is empty.
async fn screen_alt(
    store: &CatalogStore,
    act: &claims::Act<'_>,
    product_id: i64,
    alt: &str,
) -> Result<claims::Screening> {
    let locale = store.product_row(product_id).await?.source_locale;
    let texts = if alt.is_empty() {
        Vec::new()
    } else {
        vec![claims::Text::new("alt", locale, alt)]
    };
    claims::gate(store, act, &texts).await
}

/// Lists a product's pictures in order.
#[utoipa::path(get, path = "/api/v1/products/{id}/images", tag = "images",
    params(("id" = i64, Path, description = "product id")),
    responses((status = 200, body = Vec<ProductImage>), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn list_images(
    State(store): State<CatalogStore>,
    principal: Principal,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<Vec<ProductImage>>> {
    principal.require(READERS)?;
    Ok(ApiJson(store.list_images(id).await?))
}

/// Changes a picture's alt text (screened by the claims filter) or the variant it shows
/// (admin).
#[utoipa::path(patch, path = "/api/v1/products/{id}/images/{image_id}", tag = "images",
    params(("id" = i64, Path, description = "product id"),
        ("image_id" = i64, Path, description = "picture id")),
    request_body = ImagePatch,
    responses((status = 200, body = ProductImage), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn update_image(
    State(store): State<CatalogStore>,
    Authorized(by, _): Authorized<Admins>,
    ApiPath((id, image_id)): ApiPath<(i64, i64)>,
    ApiJson(patch): ApiJson<ImagePatch>,
) -> Result<ApiJson<Warned<ProductImage>>> {
    let alt = patch.alt.as_deref().map(clean_alt).transpose()?;
    let act = alt_act(&by, id);
    let screening = screen_alt(&store, &act, id, alt.as_deref().unwrap_or_default()).await?;
    let image = store
        .update_image(
            id,
            image_id,
            alt.as_deref(),
            patch.variant_id,
            Some(&screening.pending(&act)),
        )
        .await?;
    Ok(ApiJson(Warned {
        inner: image,
        warnings: screening.warnings(),
    }))
}

/// Puts a product's pictures in a new order: `image_ids` lists every one of them once (admin).
#[utoipa::path(put, path = "/api/v1/products/{id}/images/order", tag = "images",
    params(("id" = i64, Path, description = "product id")),
    request_body = ImageOrder,
    responses((status = 200, body = Vec<ProductImage>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
async fn reorder_images(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(order): ApiJson<ImageOrder>,
) -> Result<ApiJson<Vec<ProductImage>>> {
    Ok(ApiJson(store.reorder_images(id, &order.image_ids).await?))
}

/// Deletes a picture (admin); its files go when no other picture shows the same content.
#[utoipa::path(delete, path = "/api/v1/products/{id}/images/{image_id}", tag = "images",
    params(("id" = i64, Path, description = "product id"),
        ("image_id" = i64, Path, description = "picture id")),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
async fn delete_image(
    State(store): State<CatalogStore>,
    _: Authorized<Admins>,
    ApiPath((id, image_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode> {
    store.delete_image(id, image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The cache lifetime of a served file: a name serves the same bytes for ever.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A served file of a picture: `{key}-{size}.{ext}` as in a product's `images[].urls`. No
/// token: a picture shows what the product's page shows. `ETag` is the name; a request with a
/// matching `If-None-Match` gets 304.
#[utoipa::path(get, path = "/api/v1/images/{name}", tag = "images",
    params(("name" = String, Path, description = "e.g. 0f…e1-phone.jpg")),
    responses((status = 200, content_type = "image/jpeg", description = "the picture"),
        (status = 304, description = "not modified"), (status = 404, body = ErrorBody)))]
async fn serve_image(
    State(store): State<CatalogStore>,
    ApiPath(name): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let not_found = || Error::not_found(format!("image {name}"));
    let Some((_, _, ext)) = super::files::parse_name(&name) else {
        return Err(not_found());
    };
    let etag = format!("\"{}\"", name);
    let etag_value = HeaderValue::from_str(&etag).map_err(Error::internal)?;
    let Some(bytes) = store.images().serve(store.db(), &name).await? else {
        return Err(not_found());
    };
    let content_type = if ext == "png" {
        "image/png"
    } else {
        "image/jpeg"
    };
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        (header::ETAG, etag_value),
    ];
    if if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    Ok((
        common,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response())
}
