// Starts DynamoDB Local exactly as its own main class does, but listening on one address
// (127.0.0.1) instead of every interface: DynamoDB Local has no authentication, so anyone who can
// reach its port can read and write every token and tenant item. DynamoDB Local has no option for
// this, so we set the host on its Jetty connector before it starts.
//
// Run as a single-file source program (java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java
// <host> <DynamoDB Local options...>) by infra/local/dynamodb-local.ts.
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    DynamoDBProxyServer proxy =
        ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
      ((ServerConnector) connector).setHost(host);
    }
    proxy.start();
  }
}
