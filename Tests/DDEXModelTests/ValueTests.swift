import DDEXModel
import XCTest

final class ValueTests: XCTestCase {
    func testDurations() throws {
        for (text, ms) in [("PT3M25S", 205_000), ("PT205S", 205_000), ("PT0H3M25.250S", 205_250), ("PT4M02.5S", 242_500),
                           ("PT2M28S", 148_000), ("PT1H2M3S", 3_723_000), ("PT1M30.5S", 90_500)] as [(String, Int64)]
        {
            XCTAssertEqual(try ISODuration(validating: text).milliseconds, ms, text)
        }
        for bad in ["3:25", "P3M25S", "P3M", "PT", "P", "PTS", "PT1.5M"] {
            XCTAssertThrowsError(try ISODuration(validating: bad), bad)
        }
        XCTAssertEqual(ISODuration(milliseconds: 205_250).iso8601, "PT3M25.25S")
        XCTAssertEqual(ISODuration(milliseconds: 3_723_000).iso8601, "PT1H2M3S")
        XCTAssertEqual(ISODuration(milliseconds: 5_000).iso8601, "PT5S")
        XCTAssertEqual(ISODuration(samples: 44_100 * 3 + 22_050, sampleRate: 44_100).milliseconds, 3_500)
    }

    func testDates() throws {
        for good in ["2025", "2025-04", "2025-04-04", "2024-02-29"] { XCTAssertEqual(try PartialDate(validating: good).description, good) }
        for bad in ["2025-4-4", "20250404", "2025-02-29", "2025-13", "2025-04-31", "0000-01-01", "2025-00"] {
            XCTAssertThrowsError(try PartialDate(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .dateInvalid) }
        }
        XCTAssertLessThan(try PartialDate(validating: "2025-04"), try PartialDate(validating: "2025-04-02"))
    }

    func testTerritories() throws {
        XCTAssertNoThrow(try Territory(validating: "GB"))
        XCTAssertNoThrow(try Territory(validating: "Worldwide"))
        XCTAssertNoThrow(try Territory(validating: "XK"))
        for bad in ["gb", "WW", "ZZ", "GBR", ""] {
            XCTAssertThrowsError(try Territory(validating: bad), bad) { XCTAssertEqual(($0 as? IdentifierError)?.code, .territoryUnknown) }
        }
        let gb = try Territory(validating: "GB"), us = try Territory(validating: "US"), fr = try Territory(validating: "FR")
        let world = TerritorySet(included: [.worldwide], excluded: [fr])
        XCTAssertTrue(world.contains(gb))
        XCTAssertFalse(world.contains(fr))
        XCTAssertEqual(world.intersection(TerritorySet(included: [gb, fr, us]))?.included, [gb, us])
        XCTAssertNil(TerritorySet(included: [fr]).intersection(TerritorySet(included: [gb])))
    }

    func testLanguageTags() {
        for good in ["en", "en-US", "ja-Latn", "zh-Hant-TW", "es-419", "deu"] { XCTAssertNoThrow(try LanguageTag(validating: good), good) }
        for bad in ["en_US", "english", "e", "en-", ""] { XCTAssertThrowsError(try LanguageTag(validating: bad), bad) }
    }

    func testMicroAmountsParseExactlyWithHalfEven() throws {
        XCTAssertEqual(try MicroAmount(parsing: "5000.00").micro, 5_000_000_000)
        XCTAssertEqual(try MicroAmount(parsing: "0.123456789012").micro, 123_457)
        XCTAssertEqual(try MicroAmount(parsing: "0.0000005").micro, 0)      // half to even (0)
        XCTAssertEqual(try MicroAmount(parsing: "0.0000015").micro, 2)      // half to even (2)
        XCTAssertEqual(try MicroAmount(parsing: "0.00000050001").micro, 1)  // above half
        XCTAssertEqual(try MicroAmount(parsing: "-1.2345675").micro, -1_234_568)
        XCTAssertEqual(try MicroAmount(parsing: "-3").micro, -3_000_000)
        for bad in ["", "-", "1.2.3", "1e5", "abc", "99999999999999999999"] {
            XCTAssertThrowsError(try MicroAmount(parsing: bad), bad)
        }
        XCTAssertEqual(MicroAmount(micro: 1_234_565).formatted(decimals: 2), "1.23")
        XCTAssertEqual(MicroAmount(micro: 1_235_000).formatted(decimals: 2), "1.24")
        XCTAssertEqual(MicroAmount(micro: 1_225_000).formatted(decimals: 2), "1.22")
        XCTAssertEqual(MicroAmount(micro: -1_235_000).formatted(decimals: 2), "-1.24")
        XCTAssertEqual(MicroAmount(micro: -5).description, "-0.000005")
    }

    /// The calendar's day numbers against known days, and day by day (each the day after the one before) across
    /// leap days, centuries and 1970 itself, back and forth.
    func testCivilCalendarDayNumbers() {
        XCTAssertEqual(CivilCalendar.dayNumber(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilCalendar.dayNumber(year: 2000, month: 3, day: 1), 11_017)
        XCTAssertEqual(CivilCalendar.dayNumber(year: 1969, month: 12, day: 31), -1)
        XCTAssertEqual(CivilCalendar.dayNumber(year: 2020, month: 7, day: 3), 18_446)
        XCTAssertEqual(CivilCalendar.daysIn(month: 2, year: 1900), 28)
        XCTAssertEqual(CivilCalendar.daysIn(month: 2, year: 2000), 29)
        XCTAssertEqual(CivilCalendar.daysIn(month: 2, year: 2024), 29)
        XCTAssertFalse(CivilCalendar.isValid(year: 2023, month: 2, day: 29))
        XCTAssertFalse(CivilCalendar.isValid(year: 2023, month: 13, day: 1))
        XCTAssertFalse(CivilCalendar.isValid(year: 2023, month: 4, day: 0))
        var (year, month, day) = (1899, 12, 1)
        for number in CivilCalendar.dayNumber(year: 1899, month: 12, day: 1)...CivilCalendar.dayNumber(year: 2101, month: 3, day: 1) {
            XCTAssertEqual(CivilCalendar.dayNumber(year: year, month: month, day: day), number)
            let date = CivilCalendar.date(dayNumber: number)
            XCTAssertTrue(date == (year, month, day), "\(number): \(date)")
            day += 1
            if day > CivilCalendar.daysIn(month: month, year: year) { (month, day) = (month + 1, 1) }
            if month > 12 { (year, month) = (year + 1, 1) }
        }
    }
}
