package paybridge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

class StatementParameterCountTest {

    @Test
    void countsPlaceholdersOutsideQuotesAndComments() {
        assertThat(StatementParameterCount.placeholders("SELECT * FROM t WHERE a = ? AND b = ?")).isEqualTo(2);
        assertThat(StatementParameterCount.placeholders("SELECT '?', \"a?\" FROM t WHERE x = ? -- why?\n AND y = ?"))
                .isEqualTo(2);
        assertThat(StatementParameterCount.placeholders("SELECT 1")).isZero();
    }

    @Test
    void aStatementFromTheCountingDataSourceAnswersItsCountAndRunsAsUsual() throws Exception {
        try (Database db = Database.open("jdbc:h2:mem:count" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 2)) {
            DataSource counting = StatementParameterCount.counting(db.dataSource());
            try (Connection c = counting.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT CAST(? AS INT) + CAST(? AS INT) AS n")) {
                assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(2);
                ps.setObject(1, 40);
                ps.setObject(2, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt("n")).isEqualTo(42);
                }
            }
        }
    }
}
