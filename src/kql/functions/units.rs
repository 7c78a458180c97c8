//! Unit conversions: `convert_angle`, `convert_energy`, `convert_force`,
//! `convert_length`, `convert_mass`, `convert_speed`, `convert_temperature`
//! and `convert_volume`, with the unit names Kusto documents (those of the
//! UnitsNet library, matched ignoring case). An unknown unit gives null.
//! Each unit is its size in the SI unit of its family; temperatures and
//! `Tilt` (the sine of an angle) are not proportional and convert by
//! formula.

use std::f64::consts::PI;

use super::convert::{as_real, expect_number, expect_string};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f("convert_angle", |c| convert(c, Family::Angle)),
    f("convert_energy", |c| convert(c, Family::Energy)),
    f("convert_force", |c| convert(c, Family::Force)),
    f("convert_length", |c| convert(c, Family::Length)),
    f("convert_mass", |c| convert(c, Family::Mass)),
    f("convert_speed", |c| convert(c, Family::Speed)),
    f("convert_temperature", |c| convert(c, Family::Temperature)),
    f("convert_volume", |c| convert(c, Family::Volume)),
];

const fn f(name: &'static str, eval: super::ScalarImpl) -> ScalarFunction {
    ScalarFunction {
        name,
        min_args: 3,
        max_args: 3,
        eval,
    }
}

#[derive(Clone, Copy)]
enum Family {
    Angle,
    Energy,
    Force,
    Length,
    Mass,
    Speed,
    Temperature,
    Volume,
}

const DEG: f64 = PI / 180.0;
const BTU: f64 = 1055.05585262;
const EV: f64 = 1.602176565e-19;
const LBF: f64 = 4.4482216152605;
const LY: f64 = 9.46073047258e15;
const PARSEC: f64 = 3.08567758128e16;
const LB: f64 = 0.45359237;
const US_FOOT: f64 = 1200.0 / 3937.0;
const CUBIC_FOOT: f64 = 0.028316846592;
const US_GALLON: f64 = 3.785411784e-3;
const UK_GALLON: f64 = 4.54609e-3;

/// Radians per unit (`Tilt` converts by formula).
const ANGLE: &[(&str, f64)] = &[
    ("Arcminute", DEG / 60.0),
    ("Arcsecond", DEG / 3600.0),
    ("Centiradian", 1e-2),
    ("Deciradian", 1e-1),
    ("Degree", DEG),
    ("Gradian", PI / 200.0),
    ("Microdegree", DEG * 1e-6),
    ("Microradian", 1e-6),
    ("Millidegree", DEG * 1e-3),
    ("Milliradian", 1e-3),
    ("Nanodegree", DEG * 1e-9),
    ("Nanoradian", 1e-9),
    ("NatoMil", 2.0 * PI / 6400.0),
    ("Radian", 1.0),
    ("Revolution", 2.0 * PI),
];

/// Joules per unit.
const ENERGY: &[(&str, f64)] = &[
    ("BritishThermalUnit", BTU),
    ("Calorie", 4.184),
    ("DecathermEc", 1.05505585262e9),
    ("DecathermImperial", 1.05505585257348e9),
    ("DecathermUs", 1.054804e9),
    ("ElectronVolt", EV),
    ("Erg", 1e-7),
    ("FootPound", 1.355817948),
    ("GigabritishThermalUnit", BTU * 1e9),
    ("GigaelectronVolt", EV * 1e9),
    ("Gigajoule", 1e9),
    ("GigawattDay", 86400.0 * 1e9),
    ("GigawattHour", 3600.0 * 1e9),
    ("HorsepowerHour", 2.6845195377e6),
    ("Joule", 1.0),
    ("KilobritishThermalUnit", BTU * 1e3),
    ("Kilocalorie", 4184.0),
    ("KiloelectronVolt", EV * 1e3),
    ("Kilojoule", 1e3),
    ("KilowattDay", 86400.0 * 1e3),
    ("KilowattHour", 3600.0 * 1e3),
    ("MegabritishThermalUnit", BTU * 1e6),
    ("Megacalorie", 4.184e6),
    ("MegaelectronVolt", EV * 1e6),
    ("Megajoule", 1e6),
    ("MegawattDay", 86400.0 * 1e6),
    ("MegawattHour", 3600.0 * 1e6),
    ("Millijoule", 1e-3),
    ("TeraelectronVolt", EV * 1e12),
    ("TerawattDay", 86400.0 * 1e12),
    ("TerawattHour", 3600.0 * 1e12),
    ("ThermEc", 1.05505585262e8),
    ("ThermImperial", 1.05505585257348e8),
    ("ThermUs", 1.054804e8),
    ("WattDay", 86400.0),
    ("WattHour", 3600.0),
];

/// Newtons per unit.
const FORCE: &[(&str, f64)] = &[
    ("Decanewton", 10.0),
    ("Dyn", 1e-5),
    ("KilogramForce", 9.80665),
    ("Kilonewton", 1e3),
    ("KiloPond", 9.80665),
    ("KilopoundForce", LBF * 1e3),
    ("Meganewton", 1e6),
    ("Micronewton", 1e-6),
    ("Millinewton", 1e-3),
    ("Newton", 1.0),
    ("OunceForce", LBF / 16.0),
    ("Poundal", 0.138254954376),
    ("PoundForce", LBF),
    ("ShortTonForce", LBF * 2000.0),
    ("TonneForce", 9806.65),
];

/// Meters per unit.
const LENGTH: &[(&str, f64)] = &[
    ("Angstrom", 1e-10),
    ("AstronomicalUnit", 1.4959787070e11),
    ("Centimeter", 1e-2),
    ("Chain", 20.1168),
    ("DataMile", 1828.8),
    ("Decameter", 10.0),
    ("Decimeter", 0.1),
    ("DtpPica", 0.0254 / 6.0),
    ("DtpPoint", 0.0254 / 72.0),
    ("Fathom", 1.8288),
    ("Foot", 0.3048),
    ("Hand", 0.1016),
    ("Hectometer", 100.0),
    ("Inch", 0.0254),
    ("KilolightYear", LY * 1e3),
    ("Kilometer", 1e3),
    ("Kiloparsec", PARSEC * 1e3),
    ("LightYear", LY),
    ("MegalightYear", LY * 1e6),
    ("Megaparsec", PARSEC * 1e6),
    ("Meter", 1.0),
    ("Microinch", 2.54e-8),
    ("Micrometer", 1e-6),
    ("Mil", 2.54e-5),
    ("Mile", 1609.344),
    ("Millimeter", 1e-3),
    ("Nanometer", 1e-9),
    ("NauticalMile", 1852.0),
    ("Parsec", PARSEC),
    ("PrinterPica", 1.0 / 237.106301584),
    ("PrinterPoint", 0.0254 / 72.27),
    ("Shackle", 27.432),
    ("SolarRadius", 6.95510000e8),
    ("Twip", 1.0 / 56692.913386),
    ("UsSurveyFoot", US_FOOT),
    ("Yard", 0.9144),
];

/// Kilograms per unit.
const MASS: &[(&str, f64)] = &[
    ("Centigram", 1e-5),
    ("Decagram", 1e-2),
    ("Decigram", 1e-4),
    ("EarthMass", 5.9722e24),
    ("Grain", 64.79891e-6),
    ("Gram", 1e-3),
    ("Hectogram", 0.1),
    ("Kilogram", 1.0),
    ("Kilopound", LB * 1e3),
    ("Kilotonne", 1e6),
    ("LongHundredweight", 50.80234544),
    ("LongTon", 1016.0469088),
    ("Megapound", LB * 1e6),
    ("Megatonne", 1e9),
    ("Microgram", 1e-9),
    ("Milligram", 1e-6),
    ("Nanogram", 1e-12),
    ("Ounce", 0.028349523125),
    ("Pound", LB),
    ("ShortHundredweight", 45.359237),
    ("ShortTon", 907.18474),
    ("Slug", 14.593902937206364),
    ("SolarMass", 1.98947e30),
    ("Stone", 6.35029318),
    ("Tonne", 1e3),
];

/// Meters per second per unit.
const SPEED: &[(&str, f64)] = &[
    ("CentimeterPerHour", 1e-2 / 3600.0),
    ("CentimeterPerMinute", 1e-2 / 60.0),
    ("CentimeterPerSecond", 1e-2),
    ("DecimeterPerMinute", 0.1 / 60.0),
    ("DecimeterPerSecond", 0.1),
    ("FootPerHour", 0.3048 / 3600.0),
    ("FootPerMinute", 0.3048 / 60.0),
    ("FootPerSecond", 0.3048),
    ("InchPerHour", 0.0254 / 3600.0),
    ("InchPerMinute", 0.0254 / 60.0),
    ("InchPerSecond", 0.0254),
    ("KilometerPerHour", 1e3 / 3600.0),
    ("KilometerPerMinute", 1e3 / 60.0),
    ("KilometerPerSecond", 1e3),
    ("Knot", 1852.0 / 3600.0),
    ("MeterPerHour", 1.0 / 3600.0),
    ("MeterPerMinute", 1.0 / 60.0),
    ("MeterPerSecond", 1.0),
    ("MicrometerPerMinute", 1e-6 / 60.0),
    ("MicrometerPerSecond", 1e-6),
    ("MilePerHour", 1609.344 / 3600.0),
    ("MillimeterPerHour", 1e-3 / 3600.0),
    ("MillimeterPerMinute", 1e-3 / 60.0),
    ("MillimeterPerSecond", 1e-3),
    ("NanometerPerMinute", 1e-9 / 60.0),
    ("NanometerPerSecond", 1e-9),
    ("UsSurveyFootPerHour", US_FOOT / 3600.0),
    ("UsSurveyFootPerMinute", US_FOOT / 60.0),
    ("UsSurveyFootPerSecond", US_FOOT),
    ("YardPerHour", 0.9144 / 3600.0),
    ("YardPerMinute", 0.9144 / 60.0),
    ("YardPerSecond", 0.9144),
];

/// Cubic meters per unit.
const VOLUME: &[(&str, f64)] = &[
    // UnitsNet's (and so Kusto's) acre-foot: 0.000810714 of them per m³.
    ("AcreFoot", 1.0 / 0.000810714),
    ("AuTablespoon", 2e-5),
    ("BoardFoot", 2.359737216e-3),
    ("Centiliter", 1e-5),
    ("CubicCentimeter", 1e-6),
    ("CubicDecimeter", 1e-3),
    ("CubicFoot", CUBIC_FOOT),
    ("CubicHectometer", 1e6),
    ("CubicInch", 1.6387064e-5),
    ("CubicKilometer", 1e9),
    ("CubicMeter", 1.0),
    ("CubicMicrometer", 1e-18),
    ("CubicMile", 4.168181825440579e9),
    ("CubicMillimeter", 1e-9),
    ("CubicYard", 0.764554857984),
    ("Decaliter", 1e-2),
    ("DecausGallon", US_GALLON * 10.0),
    ("Deciliter", 1e-4),
    ("DeciusGallon", US_GALLON / 10.0),
    ("HectocubicFoot", CUBIC_FOOT * 100.0),
    ("HectocubicMeter", 100.0),
    ("Hectoliter", 0.1),
    ("HectousGallon", US_GALLON * 100.0),
    ("ImperialBeerBarrel", 0.16365924),
    ("ImperialGallon", UK_GALLON),
    ("ImperialOunce", 2.84130625e-5),
    ("ImperialPint", 5.6826125e-4),
    ("KilocubicFoot", CUBIC_FOOT * 1e3),
    ("KilocubicMeter", 1e3),
    ("KiloimperialGallon", UK_GALLON * 1e3),
    ("Kiloliter", 1.0),
    ("KilousGallon", US_GALLON * 1e3),
    ("Liter", 1e-3),
    ("MegacubicFoot", CUBIC_FOOT * 1e6),
    ("MegaimperialGallon", UK_GALLON * 1e6),
    ("Megaliter", 1e3),
    ("MegausGallon", US_GALLON * 1e6),
    ("MetricCup", 2.5e-4),
    ("MetricTeaspoon", 5e-6),
    ("Microliter", 1e-9),
    ("Milliliter", 1e-6),
    ("OilBarrel", 0.158987294928),
    ("UkTablespoon", 1.5e-5),
    ("UsBeerBarrel", 0.1173477658),
    ("UsCustomaryCup", 2.365882365e-4),
    ("UsGallon", US_GALLON),
    ("UsLegalCup", 2.4e-4),
    ("UsOunce", 2.95735295625e-5),
    ("UsPint", 4.73176473e-4),
    ("UsQuart", 9.46352946e-4),
    ("UsTablespoon", 1.478676478125e-5),
    ("UsTeaspoon", 4.92892159375e-6),
];

fn factor(table: &[(&str, f64)], unit: &str) -> Option<f64> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .map(|(_, f)| *f)
}

/// A temperature in a unit, as kelvin.
fn to_kelvin(v: f64, unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "degreecelsius" => v + 273.15,
        "degreedelisle" => 373.15 - v * 2.0 / 3.0,
        "degreefahrenheit" => (v + 459.67) * 5.0 / 9.0,
        "degreenewton" => v * 100.0 / 33.0 + 273.15,
        "degreerankine" => v * 5.0 / 9.0,
        "degreereaumur" => v * 5.0 / 4.0 + 273.15,
        "degreeroemer" => (v - 7.5) * 40.0 / 21.0 + 273.15,
        "kelvin" => v,
        "millidegreecelsius" => v / 1000.0 + 273.15,
        "solartemperature" => v * 5778.0,
        _ => return None,
    })
}

/// Kelvin as a temperature in a unit.
fn from_kelvin(k: f64, unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "degreecelsius" => k - 273.15,
        "degreedelisle" => (373.15 - k) * 3.0 / 2.0,
        "degreefahrenheit" => k * 9.0 / 5.0 - 459.67,
        "degreenewton" => (k - 273.15) * 33.0 / 100.0,
        "degreerankine" => k * 9.0 / 5.0,
        "degreereaumur" => (k - 273.15) * 4.0 / 5.0,
        "degreeroemer" => (k - 273.15) * 21.0 / 40.0 + 7.5,
        "kelvin" => k,
        "millidegreecelsius" => (k - 273.15) * 1000.0,
        "solartemperature" => k / 5778.0,
        _ => return None,
    })
}

/// `value` from one unit to another; `None` for an unknown unit.
fn in_units(family: Family, v: f64, from: &str, to: &str) -> Option<f64> {
    let table = match family {
        Family::Temperature => return from_kelvin(to_kelvin(v, from)?, to),
        Family::Angle => {
            // Tilt is the sine of the angle.
            let rad = if from.eq_ignore_ascii_case("Tilt") {
                v.asin()
            } else {
                v * factor(ANGLE, from)?
            };
            return if to.eq_ignore_ascii_case("Tilt") {
                Some(rad.sin())
            } else {
                Some(rad / factor(ANGLE, to)?)
            };
        }
        Family::Energy => ENERGY,
        Family::Force => FORCE,
        Family::Length => LENGTH,
        Family::Mass => MASS,
        Family::Speed => SPEED,
        Family::Volume => VOLUME,
    };
    let (a, b) = (factor(table, from)?, factor(table, to)?);
    // The same unit gives the value back exactly.
    if a == b {
        return Some(v);
    }
    Some(v * a / b)
}

fn convert(call: &Call, family: Family) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    expect_string(call, 1)?;
    expect_string(call, 2)?;
    call.rowwise(KqlType::Real, |a| {
        let v = as_real(&a[0]);
        let (from, to) = (a[1].to_text(), a[2].to_text());
        Ok(v.and_then(|v| in_units(family, v, &from, &to))
            .map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_every_family() {
        let families = [
            (Family::Energy, ENERGY),
            (Family::Force, FORCE),
            (Family::Length, LENGTH),
            (Family::Mass, MASS),
            (Family::Speed, SPEED),
            (Family::Volume, VOLUME),
            (Family::Angle, ANGLE),
        ];
        for (family, table) in families {
            for (a, _) in table {
                for (b, _) in table {
                    let there = in_units(family, 1.25, a, b).unwrap_or(f64::NAN);
                    let back = in_units(family, there, b, a).unwrap_or(f64::NAN);
                    assert!((back - 1.25).abs() < 1e-9, "{a} -> {b} -> {a}: {back}");
                }
            }
        }
        let units = [
            "DegreeCelsius",
            "DegreeDelisle",
            "DegreeFahrenheit",
            "DegreeNewton",
            "DegreeRankine",
            "DegreeReaumur",
            "DegreeRoemer",
            "Kelvin",
            "MillidegreeCelsius",
            "SolarTemperature",
        ];
        for a in units {
            for b in units {
                let there = in_units(Family::Temperature, 21.5, a, b).unwrap_or(f64::NAN);
                let back = in_units(Family::Temperature, there, b, a).unwrap_or(f64::NAN);
                assert!((back - 21.5).abs() < 1e-9, "{a} -> {b}: {back}");
            }
        }
    }

    #[test]
    fn known_values() {
        let close = |got: Option<f64>, want: f64| {
            let g = got.unwrap_or(f64::NAN);
            assert!(
                (g - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{g} vs {want}"
            );
        };
        close(
            in_units(
                Family::Temperature,
                212.0,
                "DegreeFahrenheit",
                "DegreeCelsius",
            ),
            100.0,
        );
        close(in_units(Family::Angle, 0.5, "Tilt", "Degree"), 30.0);
        close(in_units(Family::Angle, 90.0, "degree", "tilt"), 1.0);
        close(in_units(Family::Length, 1.0, "Mile", "Kilometer"), 1.609344);
        assert_eq!(in_units(Family::Length, 1.0, "Mile", "Furlong"), None);
    }
}
