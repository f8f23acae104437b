//! Time to render one localized product card (title passed through, six attribute lines, the
//! price line) per locale, with one `L10n` built once and shared, as the catalog does. Also
//! prints the ratio of each locale to English measured in the same run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use silkstream_l10n::{default_currency, Attributes, L10n, Localized, SUPPORTED_LOCALES};

fn attributes() -> Attributes {
    Attributes {
        material: Some("100% mulberry silk".into()),
        flavour: None,
        size: Some("90 × 90 cm".into()),
        storage: Some("dry, away from sunlight".into()),
        net_weight_g: Some(1250),
        volume_ml: None,
        shelf_life_days: Some(730),
        origin_country: Some("CN".into()),
    }
}

/// One product card: the title as given, six attribute lines and the price line.
fn render_product(
    l10n: &L10n,
    locale: &str,
    title: &str,
    attributes: &Attributes,
) -> (Localized, Vec<Localized>, Localized) {
    let title = Localized {
        text: title.to_owned(),
        locale: "zh-CN",
    };
    let lines = l10n.attribute_lines(locale, attributes);
    let price = l10n
        .price_line(locale, default_currency(locale), 1_299_900)
        .expect("supported currency");
    (title, lines, price)
}

fn bench(c: &mut Criterion) {
    let l10n = L10n::embedded().expect("the shipped locales load");
    let attributes = attributes();
    assert_eq!(
        l10n.attribute_lines("en", &attributes).len(),
        6,
        "six attribute lines"
    );
    let mut group = c.benchmark_group("render_product");
    for locale in SUPPORTED_LOCALES {
        group.bench_function(*locale, |b| {
            b.iter(|| {
                render_product(
                    &l10n,
                    black_box(locale),
                    black_box("真丝围巾"),
                    black_box(&attributes),
                )
            })
        });
    }
    group.finish();

    // Plain figures and ratios against English, measured in this run.
    let per_product = |locale: &str| {
        let rounds = 20_000_u32;
        let start = Instant::now();
        for _ in 0..rounds {
            black_box(render_product(
                &l10n,
                black_box(locale),
                "真丝围巾",
                &attributes,
            ));
        }
        start.elapsed() / rounds
    };
    let baseline: Duration = per_product("en");
    println!("\nper product (µs), ratio to en:");
    for locale in SUPPORTED_LOCALES {
        let took = per_product(locale);
        println!(
            "  {locale:>6}: {:6.2} µs  x{:.2}",
            took.as_secs_f64() * 1e6,
            took.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
