//! Body temperature in tenths of a degree Celsius.

use std::fmt;

use crate::digits::compact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Temperature(i16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemperatureError {
    #[error("the temperature is not a number")]
    NotANumber,
    #[error("temperature {value} °C is outside 34.0–43.0 °C")]
    OutOfRange { value: String },
}

impl crate::Explain for TemperatureError {
    fn zh(&self) -> String {
        match self {
            TemperatureError::NotANumber => "体温应为数字，如 36.5".into(),
            TemperatureError::OutOfRange { value } => format!("体温 {value} ℃ 不在 34.0–43.0 ℃ 之间"),
        }
    }
}

impl Temperature {
    pub const MIN_TENTHS: i16 = 340;
    pub const MAX_TENTHS: i16 = 430;
    /// 37.3 °C (SPEC §4.3), the default of the fever-threshold setting.
    pub const DEFAULT_FEVER_THRESHOLD: Temperature = Temperature(373);

    pub fn from_celsius(celsius: f64) -> Result<Temperature, TemperatureError> {
        if !celsius.is_finite() {
            return Err(TemperatureError::NotANumber);
        }
        // The bounds apply to the reading as given, so 33.96 is refused like the API document says.
        if celsius < f64::from(Self::MIN_TENTHS) / 10.0 || celsius > f64::from(Self::MAX_TENTHS) / 10.0 {
            return Err(TemperatureError::OutOfRange { value: format!("{celsius:.1}") });
        }
        let tenths = (celsius * 10.0).round();
        #[allow(clippy::cast_possible_truncation, reason = "checked against MIN_TENTHS..=MAX_TENTHS above")]
        Ok(Temperature(tenths as i16))
    }

    pub fn from_tenths(tenths: i16) -> Result<Temperature, TemperatureError> {
        if (Self::MIN_TENTHS..=Self::MAX_TENTHS).contains(&tenths) {
            Ok(Temperature(tenths))
        } else {
            Err(TemperatureError::OutOfRange { value: format!("{}.{}", tenths / 10, (tenths % 10).abs()) })
        }
    }

    /// Accepts "37.3", "37.3℃", "37.3°C", "37.3 C", full-width digits.
    pub fn parse(input: &str) -> Result<Temperature, TemperatureError> {
        let text = compact(input);
        let number = text.trim_end_matches(['℃', 'C', 'c']).trim_end_matches('°');
        let celsius: f64 = number.parse().map_err(|_| TemperatureError::NotANumber)?;
        Temperature::from_celsius(celsius)
    }

    pub fn tenths(self) -> i16 {
        self.0
    }

    pub fn celsius(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    pub fn is_fever(self, threshold: Temperature) -> bool {
        self >= threshold
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn readings_parse_in_common_spellings() {
        for input in ["37.3", "37.3℃", "37.3°C", " 37.3 C", "３７．３"] {
            assert_eq!(Temperature::parse(input).map(Temperature::tenths), Ok(373), "{input}");
        }
        assert_eq!(Temperature::parse("36.55").unwrap().to_string(), "36.6");
        assert_eq!(Temperature::from_celsius(34.0).unwrap().to_string(), "34.0");
        assert_eq!(Temperature::from_celsius(43.0).unwrap().to_string(), "43.0");
    }

    #[test]
    fn impossible_readings_are_refused() {
        assert_eq!(Temperature::parse("45"), Err(TemperatureError::OutOfRange { value: "45.0".into() }));
        assert!(Temperature::parse("45").unwrap_err().to_string().contains("45.0"));
        assert_eq!(Temperature::parse("33.9"), Err(TemperatureError::OutOfRange { value: "33.9".into() }));
        // The bound holds for the reading as typed: 33.96 would round to 34.0 but is below it.
        assert!(Temperature::from_celsius(33.96).is_err());
        assert!(Temperature::from_celsius(34.0).is_ok() && Temperature::from_celsius(43.0).is_ok());
        assert_eq!(Temperature::parse("hot"), Err(TemperatureError::NotANumber));
        assert_eq!(Temperature::from_celsius(f64::NAN), Err(TemperatureError::NotANumber));
        assert!(Temperature::from_tenths(431).is_err());
    }

    #[test]
    fn fever_starts_at_the_threshold() {
        let threshold = Temperature::DEFAULT_FEVER_THRESHOLD;
        assert!(Temperature::parse("37.3").unwrap().is_fever(threshold));
        assert!(!Temperature::parse("37.2").unwrap().is_fever(threshold));
    }

    proptest! {
        #[test]
        fn every_valid_tenth_round_trips(tenths in 340i16..=430) {
            let t = Temperature::from_tenths(tenths).unwrap();
            prop_assert_eq!(Temperature::parse(&t.to_string()).unwrap(), t);
        }
    }
}
