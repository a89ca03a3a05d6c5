// Exits 1 unless Java reads FILE as a resource bundle (PropertyResourceBundle: UTF-8, or ISO-8859-1 where it is not)
// and every value with an argument ({0}) formats with MessageFormat, as a program formats its messages:
//   java benchmarks/PropertiesCheck.java messages_es.properties      (Debian: openjdk-17-jdk-headless)
import java.io.FileInputStream;
import java.text.MessageFormat;
import java.util.PropertyResourceBundle;

public class PropertiesCheck {
    public static void main(String[] args) throws Exception {
        PropertyResourceBundle bundle;
        try (FileInputStream in = new FileInputStream(args[0])) {
            bundle = new PropertyResourceBundle(in);
        }
        int failed = 0;
        for (String key : bundle.keySet()) {
            String value = bundle.getString(key);
            if (!value.contains("{")) continue;
            try {
                MessageFormat.format(value, "A", 2, "C", "D");
            } catch (IllegalArgumentException e) {
                failed++;
                System.err.println(key + ": " + e.getMessage() + ": " + value);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
