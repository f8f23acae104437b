//! The orderer (订购人) of an order into China: China's cross-border retail import limits (CNY
//! 5,000 per order, 26,000 per person per calendar year) count per person, by the real name and
//! resident ID number the order is declared under, whatever guest token or session places it
//! (docs/cross-border.md, "Per person"). This module checks the number (GB 11643-1999: 17
//! digits and a check character, ISO 7064 MOD 11-2), masks it for views and exports, and makes
//! the keyed hash (HMAC-SHA256) that is all the database keeps of it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::error::{Error, Result};
use crate::domain::model::Identity;

/// The orderer (订购人) of an order into CN as it is stored: never the plain ID number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Orderer {
    pub name: String,
    /// HMAC-SHA256 of the normalised ID number with the deployment's identity key, hex.
    pub id_hash: String,
    /// `1101**********002X`.
    pub id_masked: String,
}

/// Markets whose orders must name their orderer: their limits count per person.
pub const IDENTITY_MARKETS: &[&str] = &["CN"];

/// An orderer's name and normalised ID number (upper-case check character), as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub name: String,
    pub id_number: String,
}

/// The orderer of an order into `market`: required (and checked) where the market's limits
/// count per person, `None` for other markets (an identity sent there is ignored and not
/// stored).
pub fn check(market: &str, identity: Option<&Identity>) -> Result<Option<Checked>> {
    if !IDENTITY_MARKETS.contains(&market) {
        return Ok(None);
    }
    let Some(identity) = identity else {
        return Err(Error::invalid(
            "identity",
            format!(
                "an order into {market} names its orderer (订购人): identity.name and \
                 identity.id_number, the 18-character resident ID; {market}'s cross-border \
                 limits count per person"
            ),
        ));
    };
    let name = silkstream_catalog::text::line("identity.name", &identity.name, 100)?;
    let id_number = check_id_number("identity.id_number", &identity.id_number)?;
    Ok(Some(Checked { name, id_number }))
}

/// A PRC resident ID number (GB 11643-1999): 18 characters, 17 digits whose 7th to 14th are a
/// date of birth, then the check character of ISO 7064 MOD 11-2 (`0`–`9` or `X`, either
/// case). Returns it with an upper-case `X`.
pub fn check_id_number(field: &str, value: &str) -> Result<String> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let id = value.trim().to_ascii_uppercase();
    let bytes = id.as_bytes();
    let shape = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !shape {
        return Err(Error::invalid(
            field,
            "a resident ID number is 18 characters: 17 digits and a digit or X",
        ));
    }
    let digit = |i: usize| u32::from(bytes[i] - b'0');
    let number = |from: usize, to: usize| (from..to).fold(0, |n, i| n * 10 + digit(i));
    let birth = time::Month::try_from(number(10, 12) as u8)
        .ok()
        .and_then(|m| {
            time::Date::from_calendar_date(number(6, 10) as i32, m, number(12, 14) as u8).ok()
        })
        .filter(|d| d.year() >= 1900 && *d <= time::OffsetDateTime::now_utc().date());
    if birth.is_none() {
        return Err(Error::invalid(
            field,
            "characters 7 to 14 of a resident ID number are a date of birth (YYYYMMDD)",
        ));
    }
    let sum: u32 = (0..17).map(|i| digit(i) * WEIGHTS[i]).sum();
    if CHECK[(sum % 11) as usize] != bytes[17] {
        return Err(Error::invalid(
            field,
            "the check character does not match: not a valid resident ID number",
        ));
    }
    Ok(id)
}

/// An ID number shown: the first four and the last four characters (`1101**********002X`).
pub fn mask(id_number: &str) -> String {
    let chars: Vec<char> = id_number.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// The orderer as stored: the name, the keyed hash of the number and the number masked.
pub fn orderer(key: &[u8], checked: &Checked) -> Result<Orderer> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(Error::internal)?;
    mac.update(b"silkstream cn resident id\n");
    mac.update(checked.id_number.as_bytes());
    Ok(Orderer {
        name: checked.name.clone(),
        id_hash: hex::encode(mac.finalize().into_bytes()),
        id_masked: mask(&checked.id_number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_numbers_are_checked_per_gb_11643() {
        assert_eq!(
            check_id_number("f", "11010519491231002x").expect("valid"),
            "11010519491231002X"
        );
        check_id_number("f", "31010419900307123X").expect("valid");
        assert!(
            check_id_number("f", "440524188001010014").is_err(),
            "born before 1900"
        );
        for bad in [
            "110105194912310021",  // wrong check character
            "11010519491231002",   // 17 characters
            "1101051949123100201", // 19
            "1101051949123100AX",  // letters
            "110105194913310027",  // month 13
            "",
        ] {
            assert!(check_id_number("f", bad).is_err(), "{bad} passed");
        }
    }

    #[test]
    fn numbers_are_masked_and_hashed_never_kept() {
        assert_eq!(mask("11010519491231002X"), "1101**********002X");
        let checked = Checked {
            name: "王小明".into(),
            id_number: "11010519491231002X".into(),
        };
        let a = orderer(b"key one", &checked).expect("orderer");
        let b = orderer(b"key two", &checked).expect("orderer");
        assert_ne!(a.id_hash, b.id_hash, "the hash is keyed");
        assert_eq!(a.id_hash.len(), 64);
        assert!(!a.id_hash.contains("19491231"));
        assert_eq!(a.id_masked, "1101**********002X");
    }

    #[test]
    fn only_markets_counting_per_person_need_an_identity() {
        assert!(check("KZ", None).expect("KZ").is_none());
        let err = check("CN", None).expect_err("CN without identity");
        assert!(err.to_string().starts_with("identity:"), "{err}");
    }
}
