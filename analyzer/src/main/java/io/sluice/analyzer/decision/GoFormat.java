package io.sluice.analyzer.decision;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Number and duration texts as Go's {@code fmt} prints them. Event texts carry them ({@code 89.02%},
 * {@code 1.515s > 500ms}), and dashboards, alert rules and people's scripts match those texts, so Sluice writes
 * them byte for byte the same.
 */
public final class GoFormat {
    private GoFormat() {}

    /**
     * Go's {@code %.2f}: the exact binary value rounded half to even, which is not what {@link String#format}
     * does (it rounds the shortest decimal half up, so {@code 1.005} would print {@code 1.01}, Go prints {@code 1.00}).
     */
    public static String fixed2(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return special(v);
        }
        String digits =
                new BigDecimal(Math.abs(v)).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
        return (isNegative(v) ? "-" : "") + digits;
    }

    /**
     * Go's {@code %v} of a float64 ({@code strconv.FormatFloat(v, 'g', -1, 64)}): the shortest digits that read
     * back as the same number, in exponent form when the decimal exponent is below -4 or at least 6
     * ({@code 99}, {@code 99.5}, {@code 0.0001}, {@code 1e-05}, {@code 1e+06}).
     */
    public static String shortest(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return special(v);
        }
        String sign = isNegative(v) ? "-" : "";
        if (v == 0) {
            return sign + "0";
        }
        BigDecimal exact = shortestDecimal(Math.abs(v));
        String digits = exact.unscaledValue().toString();
        int exp = digits.length() - 1 - exact.scale();
        if (exp < -4 || exp >= 6) {
            return sign + exponent(digits, exp);
        }
        return sign + exact.toPlainString();
    }

    /**
     * The decimal with the fewest significant digits that reads back as {@code v}, the closest one when several have
     * that many: what Go prints. Computed from the exact binary value rather than {@link Double#toString}, which on
     * Java 17 sometimes prints a digit more than needed.
     */
    private static BigDecimal shortestDecimal(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal candidate = exact.round(new java.math.MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == v) {
                return candidate.stripTrailingZeros();
            }
        }
        return exact.round(new java.math.MathContext(17, RoundingMode.HALF_EVEN))
                .stripTrailingZeros();
    }

    private static String exponent(String digits, int exp) {
        StringBuilder out = new StringBuilder().append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exp < 0 ? '-' : '+');
        int abs = Math.abs(exp);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    private static boolean isNegative(double v) {
        return Double.doubleToRawLongBits(v) < 0;
    }

    private static String special(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        return v > 0 ? "+Inf" : "-Inf";
    }

    /** Go's {@code time.Duration.String()}: {@code 0s}, {@code 500ms}, {@code 1.515s}, {@code 1m30s}, {@code 2h0m0s}. */
    public static String duration(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException e) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return duration(nanos);
    }

    public static String duration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        // Long.MIN_VALUE has no positive counterpart; BigDecimal keeps the arithmetic exact.
        BigDecimal abs = BigDecimal.valueOf(nanos).abs();
        String sign = negative ? "-" : "";
        BigDecimal second = BigDecimal.valueOf(1_000_000_000L);
        if (abs.compareTo(second) < 0) {
            if (abs.compareTo(BigDecimal.valueOf(1_000)) < 0) {
                return sign + abs.toPlainString() + "ns";
            }
            if (abs.compareTo(BigDecimal.valueOf(1_000_000)) < 0) {
                return sign + fraction(abs, 3) + "µs";
            }
            return sign + fraction(abs, 6) + "ms";
        }
        BigDecimal[] hoursRest = abs.divideAndRemainder(BigDecimal.valueOf(3_600_000_000_000L));
        BigDecimal[] minutesRest = hoursRest[1].divideAndRemainder(BigDecimal.valueOf(60_000_000_000L));
        StringBuilder out = new StringBuilder(sign);
        if (hoursRest[0].signum() > 0) {
            out.append(hoursRest[0].toPlainString())
                    .append('h')
                    .append(minutesRest[0].toPlainString())
                    .append('m');
        } else if (minutesRest[0].signum() > 0) {
            out.append(minutesRest[0].toPlainString()).append('m');
        }
        return out.append(fraction(minutesRest[1], 9)).append('s').toString();
    }

    /** {@code value / 10^scale} with the trailing zeros of the fraction dropped, as Go's duration text does. */
    private static String fraction(BigDecimal value, int scale) {
        BigDecimal scaled = value.movePointLeft(scale).stripTrailingZeros();
        return scaled.scale() < 0 ? scaled.setScale(0).toPlainString() : scaled.toPlainString();
    }
}
