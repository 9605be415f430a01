/* gen_mix_vocab.h: the code a polyglot `kiln gen --mix` fleet pretends to
 * run besides Go: per runtime (JVM, Python, Node, native Rust), the binaries
 * its processes map, the framework frames from a thread's root to the
 * service's handler, the library call chains under service code, and the
 * runtime's own background work; plus the word lists each service's own
 * vocabulary is combined from. Chains are root first, ';'-separated. Frame
 * syntax: "!Xname" = native function in the binary of letter X, "!X?" = an
 * unsymbolized native frame there ("[unknown]" at its own address),
 * "=name" = a frame without binary or file (async-profiler's "Interpreter"),
 * anything else = the runtime's own frame: "pkg/Class.method" (JVM, file
 * Class.java), "func@path" (Python, Node: named "func (path:line)"), or a
 * Rust path in the service's binary. Only gen_mix.c includes this. */
#ifndef KILN_GEN_MIX_VOCAB_H
#define KILN_GEN_MIX_VOCAB_H

#include "gen_model.h"

typedef struct mix_lib {
    char letter;
    const char *file; /* "%s" = the service's name */
    uint32_t size;    /* bytes of text */
    uint32_t fileoff;
    uint8_t place;    /* PLACE_* */
} mix_lib;

typedef struct mix_chain {
    unsigned need;      /* F_* features required (0 = every service) */
    const char *body;
    const char *rep;    /* repeated section (recursion), or NULL */
    unsigned rmin, rmax;
    const char *leaves[8];
} mix_chain;

typedef struct mix_bg {
    unsigned need;
    double share; /* of the service's CPU */
    const char *body;
    const char *leaves[8];
} mix_bg;

/* ---- kernel frames, as eBPF and perf-based profilers record them ---- */

#define K_SYSCALL "!Kentry_SYSCALL_64_after_hwframe;!Kdo_syscall_64;"
#define K_RECV                                                                \
    K_SYSCALL "!K__x64_sys_recvfrom;!K__sys_recvfrom;!Ksock_recvmsg;"         \
    "!Kinet_recvmsg;!Ktcp_recvmsg;!Ktcp_recvmsg_locked;!Kskb_copy_datagram_iter;" \
    "!K__skb_datagram_iter;!K_copy_to_iter"
#define K_READ                                                                \
    K_SYSCALL "!Kksys_read;!Kvfs_read;!Ksock_read_iter;!Ksock_recvmsg;"       \
    "!Ktcp_recvmsg;!Ktcp_recvmsg_locked;!Kskb_copy_datagram_iter;!K_copy_to_iter"
#define K_SEND                                                                \
    K_SYSCALL "!K__x64_sys_sendto;!K__sys_sendto;!Ksock_sendmsg;"             \
    "!Ktcp_sendmsg;!Ktcp_sendmsg_locked;!Ktcp_push;!K__tcp_push_pending_frames;" \
    "!Ktcp_write_xmit;!K__tcp_transmit_skb;!Kip_queue_xmit;!K__ip_queue_xmit;" \
    "!Kip_finish_output2;!K__dev_queue_xmit;!Kdev_hard_start_xmit"
#define K_WRITE                                                               \
    K_SYSCALL "!Kksys_write;!Kvfs_write;!Knew_sync_write;!Ksock_write_iter;"  \
    "!Ksock_sendmsg;!Ktcp_sendmsg;!Ktcp_sendmsg_locked;!Ktcp_push;"           \
    "!K__tcp_push_pending_frames;!Ktcp_write_xmit"
#define K_EPOLL                                                               \
    K_SYSCALL "!K__x64_sys_epoll_wait;!Kdo_epoll_wait;!Kep_poll;"             \
    "!Kschedule_hrtimeout_range_clock;!Kschedule;!K__schedule;!Kfinish_task_switch.isra.0"
#define K_FUTEX                                                               \
    K_SYSCALL "!K__x64_sys_futex;!Kdo_futex;!Kfutex_wait;!Kfutex_wait_queue;" \
    "!Kschedule;!K__schedule;!Kfinish_task_switch.isra.0"
#define K_FWRITE                                                              \
    K_SYSCALL "!Kksys_write;!Kvfs_write;!Kext4_file_write_iter;"              \
    "!Kext4_buffered_write_iter;!Kgeneric_perform_write;!Kcopy_page_from_iter_atomic"
#define K_PAGEFAULT                                                           \
    "!Kasm_exc_page_fault;!Kexc_page_fault;!Kdo_user_addr_fault;"             \
    "!Khandle_mm_fault;!K__handle_mm_fault;!Kdo_anonymous_page;!Kclear_page_erms"

/* ---- JVM (HotSpot 17, Spring Boot on Tomcat), async-profiler style ---- */

static const mix_lib MIX_JVM_LIBS[] = {
    {'x', "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", 0x2000, 0x1000, PLACE_EXE_PIE},
    {'j', "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", 0xe3c000, 0x2b5000, PLACE_LIB},
    {'c', "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x165000, 0x28000, PLACE_LIB},
    {'z', "/usr/lib/jvm/java-17-openjdk-amd64/lib/libzip.so", 0x9000, 0x3000, PLACE_LIB},
    {'n', "/usr/lib/jvm/java-17-openjdk-amd64/lib/libnio.so", 0xb000, 0x4000, PLACE_LIB},
    {'e', "/usr/lib/jvm/java-17-openjdk-amd64/lib/libnet.so", 0xc000, 0x5000, PLACE_LIB},
    {'y', "/tmp/libnetty_transport_native_epoll_x86_643528147302845611.so", 0x14000, 0x6000, PLACE_LIB},
    {'K', "[kernel.kallsyms]", 0x1600000, 0, PLACE_KERNEL},
};

#define JVM_THREAD                                                            \
    "!cclone3;!cstart_thread;!jthread_native_entry(Thread*);!jThread::call_run();" \
    "!jJavaThread::thread_main_inner();!jthread_entry(JavaThread*, JavaThread*);" \
    "!jJavaCalls::call_virtual(JavaValue*, Handle, Klass*, Symbol*, Symbol*, JavaThread*);" \
    "!jJavaCalls::call_virtual(JavaValue*, Klass*, Symbol*, Symbol*, JavaCallArguments*, JavaThread*);" \
    "!jJavaCalls::call_helper(JavaValue*, methodHandle const&, JavaCallArguments*, JavaThread*);" \
    "=call_stub;java/lang/Thread.run;"
#define JVM_FILTER(f)                                                         \
    "org/apache/catalina/core/ApplicationFilterChain.doFilter;"               \
    "org/apache/catalina/core/ApplicationFilterChain.internalDoFilter;"       \
    "org/springframework/web/filter/OncePerRequestFilter.doFilter;" f ";"
#define JVM_NIO_READ                                                          \
    "java/net/Socket$SocketInputStream.read;sun/nio/ch/NioSocketImpl.read;"   \
    "sun/nio/ch/NioSocketImpl.implRead;sun/nio/ch/NioSocketImpl.tryRead;"     \
    "sun/nio/ch/SocketDispatcher.read;sun/nio/ch/SocketDispatcher.read0;"     \
    "!nJava_sun_nio_ch_SocketDispatcher_read0;!c__libc_recv;" K_RECV
#define JVM_NIO_WRITE                                                         \
    "java/net/Socket$SocketOutputStream.write;sun/nio/ch/NioSocketImpl.write;" \
    "sun/nio/ch/NioSocketImpl.implWrite;sun/nio/ch/NioSocketImpl.tryWrite;"   \
    "sun/nio/ch/SocketDispatcher.write;sun/nio/ch/SocketDispatcher.write0;"   \
    "!nJava_sun_nio_ch_SocketDispatcher_write0;!c__libc_send;" K_SEND

static const char MIX_JVM_ENTRY[] =
    JVM_THREAD
    "org/apache/tomcat/util/threads/TaskThread$WrappingRunnable.run;"
    "org/apache/tomcat/util/threads/ThreadPoolExecutor$Worker.run;"
    "org/apache/tomcat/util/threads/ThreadPoolExecutor.runWorker;"
    "org/apache/tomcat/util/net/SocketProcessorBase.run;"
    "org/apache/tomcat/util/net/NioEndpoint$SocketProcessor.doRun;"
    "org/apache/coyote/AbstractProtocol$ConnectionHandler.process;"
    "org/apache/coyote/AbstractProcessorLight.process;"
    "org/apache/coyote/http11/Http11Processor.service;"
    "org/apache/catalina/connector/CoyoteAdapter.service;"
    "org/apache/catalina/core/StandardEngineValve.invoke;"
    "org/apache/catalina/valves/ErrorReportValve.invoke;"
    "org/apache/catalina/core/StandardHostValve.invoke;"
    "org/apache/catalina/authenticator/AuthenticatorBase.invoke;"
    "org/apache/catalina/core/StandardContextValve.invoke;"
    "org/apache/catalina/core/StandardWrapperValve.invoke;"
    JVM_FILTER("org/springframework/web/filter/RequestContextFilter.doFilterInternal")
    JVM_FILTER("org/springframework/web/filter/FormContentFilter.doFilterInternal")
    JVM_FILTER("org/springframework/web/filter/ServerHttpObservationFilter.doFilterInternal")
    JVM_FILTER("org/springframework/web/filter/CharacterEncodingFilter.doFilterInternal")
    "org/apache/catalina/core/ApplicationFilterChain.doFilter;"
    "org/apache/catalina/core/ApplicationFilterChain.internalDoFilter;"
    "org/springframework/security/web/FilterChainProxy.doFilter;"
    "org/springframework/security/web/FilterChainProxy.doFilterInternal;"
    "org/springframework/security/web/FilterChainProxy$VirtualFilterChain.doFilter;"
    "org/springframework/security/web/authentication/AnonymousAuthenticationFilter.doFilter;"
    "org/springframework/security/web/FilterChainProxy$VirtualFilterChain.doFilter;"
    "org/springframework/security/web/access/intercept/AuthorizationFilter.doFilter;"
    "org/springframework/security/web/FilterChainProxy$VirtualFilterChain.doFilter;"
    "org/apache/catalina/core/ApplicationFilterChain.doFilter;"
    "org/apache/catalina/core/ApplicationFilterChain.internalDoFilter;"
    "org/apache/tomcat/websocket/server/WsFilter.doFilter;"
    "org/apache/catalina/core/ApplicationFilterChain.internalDoFilter;"
    "jakarta/servlet/http/HttpServlet.service;"
    "org/springframework/web/servlet/FrameworkServlet.service;"
    "jakarta/servlet/http/HttpServlet.service;"
    "org/springframework/web/servlet/FrameworkServlet.doPost;"
    "org/springframework/web/servlet/FrameworkServlet.processRequest;"
    "org/springframework/web/servlet/DispatcherServlet.doService;"
    "org/springframework/web/servlet/DispatcherServlet.doDispatch;"
    "org/springframework/web/servlet/mvc/method/AbstractHandlerMethodAdapter.handle;"
    "org/springframework/web/servlet/mvc/method/annotation/RequestMappingHandlerAdapter.handleInternal;"
    "org/springframework/web/servlet/mvc/method/annotation/RequestMappingHandlerAdapter.invokeHandlerMethod;"
    "org/springframework/web/servlet/mvc/method/annotation/ServletInvocableHandlerMethod.invokeAndHandle";
static const char MIX_JVM_INVOKE[] =
    "org/springframework/web/method/support/InvocableHandlerMethod.invokeForRequest;"
    "org/springframework/web/method/support/InvocableHandlerMethod.doInvoke;"
    "java/lang/reflect/Method.invoke;"
    "jdk/internal/reflect/DirectMethodHandleAccessor.invoke;"
    "jdk/internal/reflect/DirectMethodHandleAccessor.invokeImpl";
/* Between a controller and a @Transactional service: the CGLIB proxy. */
static const char MIX_JVM_PROXY[] =
    "org/springframework/aop/framework/CglibAopProxy$DynamicAdvisedInterceptor.intercept;"
    "org/springframework/aop/framework/CglibAopProxy$CglibMethodInvocation.proceed;"
    "org/springframework/aop/framework/ReflectiveMethodInvocation.proceed;"
    "org/springframework/transaction/interceptor/TransactionInterceptor.invoke;"
    "org/springframework/transaction/interceptor/TransactionAspectSupport.invokeWithinTransaction;"
    "org/springframework/transaction/interceptor/TransactionInterceptor$1.proceedWithInvocation;"
    "org/springframework/aop/framework/CglibAopProxy$CglibMethodInvocation.proceed;"
    "org/springframework/aop/framework/ReflectiveMethodInvocation.proceed;"
    "org/springframework/aop/support/AopUtils.invokeJoinpointUsingReflection;"
    "java/lang/reflect/Method.invoke;"
    "jdk/internal/reflect/DirectMethodHandleAccessor.invoke;"
    "jdk/internal/reflect/DirectMethodHandleAccessor.invokeImpl";

#define JACKSON_WRITE_FIELDS                                                  \
    "com/fasterxml/jackson/databind/ser/BeanSerializer.serialize;"            \
    "com/fasterxml/jackson/databind/ser/std/BeanSerializerBase.serializeFields;" \
    "com/fasterxml/jackson/databind/ser/BeanPropertyWriter.serializeAsField"
#define JACKSON_LEAVES                                                        \
    "com/fasterxml/jackson/databind/ser/std/StringSerializer.serialize;"      \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator.writeString;"          \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator._writeStringSegment",  \
    "com/fasterxml/jackson/databind/ser/std/NumberSerializers$LongSerializer.serialize;" \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator.writeNumber;"          \
    "com/fasterxml/jackson/core/io/NumberOutput.outputLong",                  \
    "com/fasterxml/jackson/databind/ser/BeanPropertyWriter.get;"              \
    "jdk/internal/reflect/DirectMethodHandleAccessor.invoke;=Interpreter",    \
    "com/fasterxml/jackson/databind/ser/std/NumberSerializer.serialize;"      \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator.writeNumber;"          \
    "java/math/BigDecimal.toString;java/math/BigDecimal.layoutChars",         \
    "com/fasterxml/jackson/datatype/jsr310/ser/InstantSerializerBase.serialize;" \
    "java/time/format/DateTimeFormatter.format;"                              \
    "java/time/format/DateTimeFormatterBuilder$CompositePrinterParser.format", \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator.writeFieldName;"       \
    "com/fasterxml/jackson/core/json/UTF8JsonGenerator._writeStringSegment2"

static const mix_chain MIX_JVM_RESPOND = {
    0,
    "org/springframework/web/method/support/HandlerMethodReturnValueHandlerComposite.handleReturnValue;"
    "org/springframework/web/servlet/mvc/method/annotation/HttpEntityMethodProcessor.handleReturnValue;"
    "org/springframework/web/servlet/mvc/method/annotation/AbstractMessageConverterMethodProcessor.writeWithMessageConverters;"
    "org/springframework/http/converter/AbstractGenericHttpMessageConverter.write;"
    "org/springframework/http/converter/json/AbstractJackson2HttpMessageConverter.writeInternal;"
    "com/fasterxml/jackson/databind/ObjectWriter.writeValue;"
    "com/fasterxml/jackson/databind/ObjectWriter$Prefetch.serialize;"
    "com/fasterxml/jackson/databind/ser/DefaultSerializerProvider.serializeValue;"
    "com/fasterxml/jackson/databind/ser/DefaultSerializerProvider._serialize;" JACKSON_WRITE_FIELDS,
    "com/fasterxml/jackson/databind/ser/std/CollectionSerializer.serialize;"
    "com/fasterxml/jackson/databind/ser/std/CollectionSerializer.serializeContents;" JACKSON_WRITE_FIELDS,
    0, 3,
    {JACKSON_LEAVES,
     "com/fasterxml/jackson/core/json/UTF8JsonGenerator._flushBuffer;"
     "org/apache/catalina/connector/CoyoteOutputStream.write;"
     "org/apache/catalina/connector/OutputBuffer.append;"
     "org/apache/catalina/connector/OutputBuffer.flushByteBuffer;"
     "org/apache/coyote/http11/Http11OutputBuffer$SocketOutputBuffer.doWrite;"
     "org/apache/tomcat/util/net/NioEndpoint$NioSocketWrapper.doWrite;"
     "sun/nio/ch/SocketChannelImpl.write;sun/nio/ch/IOUtil.write;"
     "sun/nio/ch/SocketDispatcher.write0;!nJava_sun_nio_ch_SocketDispatcher_write0;"
     "!c__libc_write;" K_WRITE}};

#define JPA_FIND                                                              \
    "jdk/proxy2/$Proxy171.findById;"                                          \
    "org/springframework/aop/framework/JdkDynamicAopProxy.invoke;"            \
    "org/springframework/aop/framework/ReflectiveMethodInvocation.proceed;"   \
    "org/springframework/data/repository/core/support/MethodInvocationValidator.invoke;" \
    "org/springframework/aop/framework/ReflectiveMethodInvocation.proceed;"   \
    "org/springframework/dao/support/PersistenceExceptionTranslationInterceptor.invoke;" \
    "org/springframework/aop/framework/ReflectiveMethodInvocation.proceed;"   \
    "org/springframework/data/repository/core/support/RepositoryMethodInvoker.invoke;" \
    "org/springframework/data/jpa/repository/support/SimpleJpaRepository.findById;" \
    "org/hibernate/engine/spi/SessionDelegatorBaseImpl.find;"                 \
    "org/hibernate/internal/SessionImpl.find;"                                \
    "org/hibernate/loader/internal/IdentifierLoadAccessImpl.load;"            \
    "org/hibernate/event/internal/DefaultLoadEventListener.onLoad;"           \
    "org/hibernate/event/internal/DefaultLoadEventListener.doLoad;"           \
    "org/hibernate/loader/ast/internal/SingleIdEntityLoaderStandardImpl.load;" \
    "org/hibernate/loader/ast/internal/SingleIdLoadPlan.load;"                \
    "org/hibernate/sql/exec/internal/JdbcSelectExecutorStandardImpl.list;"    \
    "org/hibernate/sql/exec/internal/JdbcSelectExecutorStandardImpl.executeQuery;"
#define PG_EXEC                                                               \
    "com/zaxxer/hikari/pool/HikariProxyPreparedStatement.executeQuery;"       \
    "com/zaxxer/hikari/pool/ProxyPreparedStatement.executeQuery;"             \
    "org/postgresql/jdbc/PgPreparedStatement.executeQuery;"                   \
    "org/postgresql/jdbc/PgPreparedStatement.executeWithFlags;"               \
    "org/postgresql/jdbc/PgStatement.executeInternal;"                        \
    "org/postgresql/core/v3/QueryExecutorImpl.execute"

static const mix_chain MIX_JVM_CHAINS[] = {
    /* JPA/Hibernate over HikariCP and the PostgreSQL driver */
    {F_SQL, JPA_FIND,
     NULL, 0, 0,
     {PG_EXEC ";org/postgresql/core/v3/QueryExecutorImpl.processResults;"
      "org/postgresql/core/PGStream.receiveChar;"
      "org/postgresql/core/VisibleBufferedInputStream.read;"
      "org/postgresql/core/VisibleBufferedInputStream.readMore;" JVM_NIO_READ,
      PG_EXEC ";org/postgresql/core/v3/QueryExecutorImpl.sendQuery;"
      "org/postgresql/core/v3/QueryExecutorImpl.sendOneQuery;"
      "org/postgresql/core/v3/QueryExecutorImpl.sendParse;"
      "org/postgresql/core/PGStream.send;org/postgresql/core/PGStream.flush;"
      "java/io/BufferedOutputStream.flush;" JVM_NIO_WRITE,
      PG_EXEC ";org/postgresql/core/v3/QueryExecutorImpl.processResults;"
      "org/postgresql/core/v3/QueryExecutorImpl.receiveFields;"
      "org/postgresql/core/Encoding.decode;java/lang/String.<init>;"
      "java/lang/String.decodeUTF8_UTF16",
      "org/hibernate/sql/results/internal/ResultsHelper.extractResults;"
      "org/hibernate/sql/results/spi/ListResultsConsumer.consume;"
      "org/hibernate/sql/results/internal/RowProcessingStateStandardImpl.next;"
      "org/hibernate/sql/results/jdbc/internal/JdbcValuesResultSetImpl.processNext;"
      "org/hibernate/sql/results/jdbc/internal/JdbcValuesResultSetImpl.readCurrentRowValues;"
      "org/hibernate/type/descriptor/jdbc/BasicExtractor.extract;"
      "org/postgresql/jdbc/PgResultSet.getString",
      "org/hibernate/sql/results/spi/ListResultsConsumer.consume;"
      "org/hibernate/sql/results/graph/entity/AbstractEntityInitializer.initializeInstance;"
      "org/hibernate/engine/internal/TwoPhaseLoad.initializeEntity;"
      "org/hibernate/persister/entity/AbstractEntityPersister.setPropertyValues;"
      "org/hibernate/property/access/spi/SetterFieldImpl.set;"
      "jdk/internal/reflect/UnsafeObjectFieldAccessorImpl.set",
      "org/hibernate/sql/exec/internal/JdbcSelectExecutorStandardImpl$2.get;"
      "org/hibernate/engine/jdbc/internal/ResultSetReturnImpl.extract;"
      "com/zaxxer/hikari/pool/ProxyConnection.prepareStatement;"
      "org/postgresql/jdbc/PgConnection.prepareStatement;"
      "org/postgresql/core/QueryExecutorBase.borrowQuery;"
      "org/postgresql/core/Parser.parseJdbcSql", NULL}},
    /* Redis through Lettuce (the caller's side of a blocking command) */
    {F_REDIS,
     "org/springframework/data/redis/core/DefaultValueOperations.get;"
     "org/springframework/data/redis/core/RedisTemplate.execute;"
     "org/springframework/data/redis/core/AbstractOperations.execute;"
     "org/springframework/data/redis/connection/lettuce/LettuceStringCommands.get;"
     "io/lettuce/core/RedisAsyncCommandsImpl.get;"
     "io/lettuce/core/AbstractRedisAsyncCommands.dispatch",
     NULL, 0, 0,
     {"io/lettuce/core/StatefulRedisConnectionImpl.dispatch;"
      "io/lettuce/core/RedisChannelHandler.dispatch;"
      "io/lettuce/core/protocol/DefaultEndpoint.write;"
      "io/lettuce/core/protocol/DefaultEndpoint.writeToChannelAndFlush;"
      "io/netty/channel/AbstractChannel.writeAndFlush;"
      "io/netty/channel/DefaultChannelPipeline.writeAndFlush;"
      "io/netty/channel/AbstractChannelHandlerContext.writeAndFlush;"
      "io/netty/util/concurrent/SingleThreadEventExecutor.execute;"
      "io/netty/channel/epoll/EpollEventLoop.wakeup;"
      "io/netty/channel/unix/FileDescriptor.write;!c__libc_write;" K_SYSCALL
      "!Kksys_write;!Kvfs_write;!Keventfd_write",
      "io/lettuce/core/LettuceFutures.awaitOrCancel;"
      "java/util/concurrent/CompletableFuture.get;"
      "java/util/concurrent/CompletableFuture.waitingGet;"
      "java/util/concurrent/locks/LockSupport.park;jdk/internal/misc/Unsafe.park;"
      "!jUnsafe_Park;!jParker::park(bool, long);!c__pthread_cond_wait;" K_FUTEX,
      "org/springframework/data/redis/serializer/Jackson2JsonRedisSerializer.deserialize;"
      "com/fasterxml/jackson/databind/ObjectMapper.readValue;"
      "com/fasterxml/jackson/databind/ObjectMapper._readMapAndClose;"
      "com/fasterxml/jackson/databind/deser/BeanDeserializer.deserialize;"
      "com/fasterxml/jackson/databind/deser/BeanDeserializer.vanillaDeserialize;"
      "com/fasterxml/jackson/databind/deser/impl/MethodProperty.deserializeAndSet;"
      "com/fasterxml/jackson/databind/deser/std/StringDeserializer.deserialize;"
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.getText", NULL}},
    /* JSON request bodies and peers' responses */
    {0,
     "com/fasterxml/jackson/databind/ObjectMapper.readValue;"
     "com/fasterxml/jackson/databind/ObjectMapper._readMapAndClose;"
     "com/fasterxml/jackson/databind/deser/DefaultDeserializationContext.readRootValue;"
     "com/fasterxml/jackson/databind/deser/BeanDeserializer.deserialize;"
     "com/fasterxml/jackson/databind/deser/BeanDeserializer.vanillaDeserialize",
     "com/fasterxml/jackson/databind/deser/impl/FieldProperty.deserializeAndSet;"
     "com/fasterxml/jackson/databind/deser/std/CollectionDeserializer.deserialize;"
     "com/fasterxml/jackson/databind/deser/std/CollectionDeserializer._deserializeFromArray;"
     "com/fasterxml/jackson/databind/deser/BeanDeserializer.deserialize;"
     "com/fasterxml/jackson/databind/deser/BeanDeserializer.vanillaDeserialize", 0, 2,
     {"com/fasterxml/jackson/databind/deser/impl/MethodProperty.deserializeAndSet;"
      "com/fasterxml/jackson/databind/deser/std/StringDeserializer.deserialize;"
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.getText;"
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser._finishAndReturnString",
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextFieldName;"
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.parseMediumName;"
      "com/fasterxml/jackson/core/sym/ByteQuadsCanonicalizer.findName",
      "com/fasterxml/jackson/databind/deser/impl/MethodProperty.deserializeAndSet;"
      "com/fasterxml/jackson/databind/deser/std/NumberDeserializers$BigDecimalDeserializer.deserialize;"
      "com/fasterxml/jackson/core/base/ParserBase.getDecimalValue;"
      "java/math/BigDecimal.<init>",
      "com/fasterxml/jackson/databind/deser/BeanDeserializer.vanillaDeserialize;=Interpreter",
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextToken;"
      "com/fasterxml/jackson/core/json/UTF8StreamJsonParser._skipWSOrEnd", NULL}},
    /* calls to peers over HTTP */
    {F_PEERS,
     "org/springframework/web/client/RestTemplate.exchange;"
     "org/springframework/web/client/RestTemplate.execute;"
     "org/springframework/web/client/RestTemplate.doExecute;"
     "org/springframework/http/client/AbstractClientHttpRequest.execute;"
     "org/springframework/http/client/AbstractBufferingClientHttpRequest.executeInternal;"
     "org/springframework/http/client/InterceptingClientHttpRequest.executeInternal;"
     "org/springframework/http/client/InterceptingClientHttpRequest$InterceptingRequestExecution.execute;"
     "org/springframework/http/client/SimpleBufferingClientHttpRequest.executeInternal",
     NULL, 0, 0,
     {"sun/net/www/protocol/http/HttpURLConnection.getInputStream;"
      "sun/net/www/protocol/http/HttpURLConnection.getInputStream0;"
      "sun/net/www/http/HttpClient.parseHTTP;sun/net/www/http/HttpClient.parseHTTPHeader;"
      "java/io/BufferedInputStream.read;java/io/BufferedInputStream.fill;" JVM_NIO_READ,
      "sun/net/www/protocol/http/HttpURLConnection.getOutputStream;"
      "sun/net/www/protocol/http/HttpURLConnection.connect;"
      "sun/net/www/http/HttpClient.openServer;java/net/Socket.connect;"
      "sun/nio/ch/NioSocketImpl.connect;sun/nio/ch/Net.connect;sun/nio/ch/Net.connect0;"
      "!nJava_sun_nio_ch_Net_connect0;!c__libc_connect;" K_SYSCALL
      "!K__sys_connect;!Kinet_stream_connect;!Ktcp_v4_connect;!Ktcp_connect",
      "sun/net/www/protocol/http/HttpURLConnection.writeRequests;"
      "sun/net/www/http/HttpClient.writeRequests;sun/net/www/MessageHeader.print;"
      "java/io/PrintStream.print;java/io/BufferedWriter.flushBuffer;"
      "sun/nio/cs/StreamEncoder.implWrite;sun/nio/cs/UTF_8$Encoder.encodeArrayLoop", NULL}},
    /* logging (Logback through SLF4J) */
    {0,
     "ch/qos/logback/classic/Logger.info;ch/qos/logback/classic/Logger.filterAndLog_1;"
     "ch/qos/logback/classic/Logger.buildLoggingEventAndAppend;"
     "ch/qos/logback/classic/Logger.callAppenders;"
     "ch/qos/logback/core/spi/AppenderAttachableImpl.appendLoopOnAppenders;"
     "ch/qos/logback/core/UnsynchronizedAppenderBase.doAppend;"
     "ch/qos/logback/core/OutputStreamAppender.append;"
     "ch/qos/logback/core/OutputStreamAppender.subAppend",
     NULL, 0, 0,
     {"ch/qos/logback/core/encoder/LayoutWrappingEncoder.encode;"
      "ch/qos/logback/classic/PatternLayout.doLayout;"
      "ch/qos/logback/core/pattern/PatternLayoutBase.writeLoopOnConverters;"
      "ch/qos/logback/classic/pattern/DateConverter.convert;"
      "ch/qos/logback/core/util/CachingDateFormatter.format",
      "ch/qos/logback/core/encoder/LayoutWrappingEncoder.encode;"
      "ch/qos/logback/classic/PatternLayout.doLayout;"
      "ch/qos/logback/core/pattern/PatternLayoutBase.writeLoopOnConverters;"
      "ch/qos/logback/classic/pattern/MessageConverter.convert;"
      "ch/qos/logback/classic/spi/LoggingEvent.getFormattedMessage;"
      "org/slf4j/helpers/MessageFormatter.arrayFormat;java/lang/StringBuilder.append",
      "ch/qos/logback/core/OutputStreamAppender.writeBytes;"
      "ch/qos/logback/core/recovery/ResilientOutputStreamBase.write;"
      "java/io/FileOutputStream.write;java/io/FileOutputStream.writeBytes;"
      "!c__libc_write;" K_FWRITE,
      "ch/qos/logback/classic/spi/LoggingEvent.<init>;"
      "ch/qos/logback/classic/spi/LoggingEvent.prepareForDeferredProcessing;"
      "ch/qos/logback/classic/util/LogbackMDCAdapter.getPropertyMap", NULL}},
    /* collections, strings and streams in service code */
    {0, "", NULL, 0, 0,
     {"java/util/HashMap.put;java/util/HashMap.putVal;java/util/HashMap.resize",
      "java/util/HashMap.get;java/util/HashMap.getNode;java/lang/String.equals",
      "java/util/stream/ReferencePipeline.collect;java/util/stream/AbstractPipeline.evaluate;"
      "java/util/stream/ReduceOps$ReduceOp.evaluateSequential;"
      "java/util/stream/AbstractPipeline.wrapAndCopyInto;java/util/stream/AbstractPipeline.copyInto;"
      "java/util/ArrayList$ArrayListSpliterator.forEachRemaining;"
      "java/util/stream/ReferencePipeline$3$1.accept;java/util/stream/ReduceOps$3ReducingSink.accept;"
      "java/util/ArrayList.add;java/util/ArrayList.grow;java/util/Arrays.copyOf;"
      "!jOptoRuntime::new_array_C(Klass*, int, JavaThread*);"
      "!jTypeArrayKlass::allocate_common(int, bool, JavaThread*);"
      "!jMemAllocator::allocate() const;!jMemAllocator::mem_allocate_inside_tlab_slow(MemAllocator::Allocation&) const;"
      "!jG1CollectedHeap::allocate_new_tlab(unsigned long, unsigned long, unsigned long*);"
      "!jG1CollectedHeap::attempt_allocation_slow(unsigned long)",
      "java/lang/String.format;java/util/Formatter.format;java/util/Formatter$FormatSpecifier.print;"
      "java/util/Formatter$FormatSpecifier.printInteger;java/lang/Long.toString",
      "java/util/regex/Pattern$Start.match;java/util/regex/Pattern$GroupHead.match;"
      "java/util/regex/Pattern$BmpCharPropertyGreedy.match",
      "java/lang/StringConcatHelper.simpleConcat;java/lang/StringConcatHelper.newArray;"
      "jdk/internal/misc/Unsafe.allocateUninitializedArray;!jUnsafe_AllocateUninitializedArray0",
      "java/util/ArrayList.sort;java/util/Arrays.sort;java/util/TimSort.sort;"
      "java/util/TimSort.binarySort;java/util/Comparator$$Lambda.0x00007f5a0c0b8a30.compare",
      "java/util/UUID.randomUUID;java/security/SecureRandom.nextBytes;"
      "sun/security/provider/NativePRNG$RandomIO.implNextBytes;"
      "sun/security/provider/NativePRNG$RandomIO.readFully;java/io/FileInputStream.readBytes;"
      "!c__libc_read"}},
    /* hashing and TLS toward an external partner */
    {F_HASH,
     "java/security/MessageDigest.digest;java/security/MessageDigest$Delegate.engineDigest;"
     "sun/security/provider/DigestBase.engineDigest",
     NULL, 0, 0,
     {"sun/security/provider/DigestBase.implCompressMultiBlock;"
      "sun/security/provider/SHA2.implCompress;sun/security/provider/SHA2.implCompress0",
      "sun/security/provider/SHA2.implDigest;sun/security/provider/DigestBase.engineUpdate;=[unknown]",
      NULL}},
    {F_SSL,
     "sun/security/ssl/SSLSocketImpl$AppInputStream.read;sun/security/ssl/SSLSocketImpl.readApplicationRecord;"
     "sun/security/ssl/SSLSocketImpl.decode;sun/security/ssl/SSLTransport.decode;"
     "sun/security/ssl/SSLSocketInputRecord.decode;sun/security/ssl/SSLSocketInputRecord.decodeInputRecord;"
     "sun/security/ssl/SSLCipher$T13GcmReadCipherGenerator$GcmReadCipher.decrypt;"
     "javax/crypto/Cipher.doFinal;com/sun/crypto/provider/AESCipher.engineDoFinal;"
     "com/sun/crypto/provider/CipherCore.doFinal;com/sun/crypto/provider/GaloisCounterMode.engineDoFinal;"
     "com/sun/crypto/provider/GaloisCounterMode$GCMDecrypt.doFinal",
     NULL, 0, 0,
     {"com/sun/crypto/provider/GaloisCounterMode.implGCMCrypt;=StubRoutines::galoisCounterMode_AESCrypt",
      "com/sun/crypto/provider/GHASH.update;com/sun/crypto/provider/GHASH.processBlocks;=StubRoutines::ghash_processBlocks",
      NULL}},
};

static const mix_bg MIX_JVM_BG[] = {
    /* G1 evacuation pauses, parallel workers */
    {0, 0.08,
     "!cclone3;!cstart_thread;!jthread_native_entry(Thread*);!jThread::call_run();"
     "!jWorkerThread::run();!jG1EvacuateRegionsTask::work(unsigned int)",
     {"!jG1EvacuateRegionsTask::evacuate_live_objects(G1ParScanThreadState*, unsigned int);"
      "!jG1ParEvacuateFollowersClosure::do_void();!jG1ParScanThreadState::trim_queue_partially();"
      "!jG1ParScanThreadState::do_copy_to_survivor_space(G1HeapRegionAttr, oopDesc*, markWord)",
      "!jG1EvacuateRegionsTask::evacuate_live_objects(G1ParScanThreadState*, unsigned int);"
      "!jG1ParEvacuateFollowersClosure::do_void();!jG1ParScanThreadState::steal_and_trim_queue(GenericTaskQueueSet<OverflowTaskQueue<ScannerTask, (MEMFLAGS)5, 131072u>, (MEMFLAGS)5>*);"
      "!jG1ParScanThreadState::do_copy_to_survivor_space(G1HeapRegionAttr, oopDesc*, markWord);!c__memmove_avx_unaligned_erms",
      "!jG1EvacuateRegionsBaseTask::work(unsigned int);!jG1EvacuateRegionsTask::scan_roots(G1ParScanThreadState*, unsigned int);"
      "!jG1RootProcessor::evacuate_roots(G1ParScanThreadState*, unsigned int);"
      "!jThreads::possibly_parallel_oops_do(bool, OopClosure*, CodeBlobClosure*);"
      "!jJavaThread::oops_do_frames(OopClosure*, CodeBlobClosure*);!jframe::oops_do_internal(OopClosure*, CodeBlobClosure*, RegisterMap const*, bool, DerivedPointerIterationMode) const",
      "!jG1EvacuateRegionsBaseTask::work(unsigned int);!jG1EvacuateRegionsTask::scan_roots(G1ParScanThreadState*, unsigned int);"
      "!jG1RemSet::scan_heap_roots(G1ParScanThreadState*, unsigned int, G1GCPhaseTimes::GCParPhases, G1GCPhaseTimes::GCParPhases, bool);"
      "!jG1ScanHRForRegionClosure::scan_heap_roots(HeapRegion*);!j?",
      "!j?;!j?", NULL}},
    /* G1 concurrent refinement and marking */
    {0, 0.025,
     "!cclone3;!cstart_thread;!jthread_native_entry(Thread*);!jThread::call_run();"
     "!jConcurrentGCThread::run()",
     {"!jG1ConcurrentRefineThread::run_service();!jG1ConcurrentRefine::do_refinement_step(unsigned int);"
      "!jG1DirtyCardQueueSet::refine_completed_buffer_concurrently(unsigned int, unsigned long, G1ConcurrentRefineStats*);"
      "!jG1RemSet::refine_card_concurrently(unsigned char*, unsigned int)",
      "!jG1ConcurrentMarkThread::run_service();!jG1ConcurrentMarkThread::concurrent_cycle_body();"
      "!jG1ConcurrentMark::mark_from_roots();!jWorkerThreads::run_task(WorkerTask*, unsigned int);"
      "!jG1CMConcurrentMarkingTask::work(unsigned int);!jG1CMTask::do_marking_step(double, bool, bool);"
      "!jG1CMBitMapClosure::do_addr(HeapWordImpl**)", NULL}},
    /* the JIT compilers */
    {0, 0.05,
     "!cclone3;!cstart_thread;!jthread_native_entry(Thread*);!jThread::call_run();"
     "!jJavaThread::thread_main_inner();!jCompileBroker::compiler_thread_loop();"
     "!jCompileBroker::invoke_compiler_on_method(CompileTask*)",
     {"!jC2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);!jCompile::Compile(ciEnv*, ciMethod*, int, Options, DirectiveSet*);"
      "!jCompile::Optimize();!jPhaseIdealLoop::optimize(PhaseIterGVN&, LoopOptsMode);"
      "!jPhaseIdealLoop::build_and_optimize();!jPhaseIdealLoop::build_loop_late(VectorSet&, Node_List&, Node_Stack&)",
      "!jC2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);!jCompile::Compile(ciEnv*, ciMethod*, int, Options, DirectiveSet*);"
      "!jCompile::Code_Gen();!jPhaseChaitin::Register_Allocate();!jPhaseChaitin::build_ifg_physical(ResourceArea*)",
      "!jC2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);!jCompile::Compile(ciEnv*, ciMethod*, int, Options, DirectiveSet*);"
      "!jCompile::Optimize();!jPhaseIterGVN::optimize();!jPhaseIterGVN::transform_old(Node*)",
      "!jC2Compiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);!jCompile::Compile(ciEnv*, ciMethod*, int, Options, DirectiveSet*);"
      "!jParseGenerator::generate(JVMState*);!jParse::Parse(JVMState*, ciMethod*, float);!jParse::do_all_blocks();!jParse::do_one_bytecode()",
      "!jCompiler::compile_method(ciEnv*, ciMethod*, int, bool, DirectiveSet*);!jCompilation::Compilation(AbstractCompiler*, ciEnv*, ciMethod*, int, BufferBlob*, bool, DirectiveSet*);"
      "!jCompilation::compile_method();!jCompilation::emit_lir();!jLinearScan::do_linear_scan()",
      "!j?", NULL}},
    /* safepoints and the VM thread */
    {0, 0.01,
     "!cclone3;!cstart_thread;!jthread_native_entry(Thread*);!jThread::call_run();!jVMThread::run()",
     {"!jVMThread::inner_execute(VM_Operation*);!jSafepointSynchronize::begin();!jSafepointSynchronize::synchronize_threads(long, int, int*)",
      "!jVMThread::wait_for_operation();!jMonitor::wait_without_safepoint_check(long);!jPlatformMonitor::wait(long);!c__pthread_cond_timedwait;" K_FUTEX,
      NULL}},
    /* Lettuce's Netty event loop */
    {F_REDIS, 0.03,
     JVM_THREAD "io/netty/util/concurrent/FastThreadLocalRunnable.run;"
     "io/netty/util/internal/ThreadExecutorMap$2.run;"
     "io/netty/util/concurrent/SingleThreadEventExecutor$4.run;"
     "io/netty/channel/epoll/EpollEventLoop.run",
     {"io/netty/channel/epoll/EpollEventLoop.epollWait;io/netty/channel/epoll/Native.epollWait;"
      "io/netty/channel/epoll/Native.epollWait0;!y?;!cepoll_wait;" K_EPOLL,
      "io/netty/channel/epoll/EpollEventLoop.processReady;"
      "io/netty/channel/epoll/AbstractEpollStreamChannel$EpollStreamUnsafe.epollInReady;"
      "io/netty/channel/DefaultChannelPipeline.fireChannelRead;"
      "io/netty/channel/AbstractChannelHandlerContext.invokeChannelRead;"
      "io/netty/handler/codec/ByteToMessageDecoder.channelRead;"
      "io/lettuce/core/protocol/CommandHandler.channelRead;io/lettuce/core/protocol/CommandHandler.decode;"
      "io/lettuce/core/protocol/RedisStateMachine.decode;io/lettuce/core/protocol/RedisStateMachine.doDecode",
      "io/netty/channel/epoll/EpollEventLoop.processReady;"
      "io/netty/channel/epoll/AbstractEpollStreamChannel$EpollStreamUnsafe.epollInReady;"
      "io/netty/channel/epoll/AbstractEpollChannel.doReadBytes;io/netty/channel/unix/FileDescriptor.readAddress;"
      "!y?;!c__libc_read;" K_READ,
      "io/netty/util/concurrent/AbstractEventExecutor.runTask;"
      "io/netty/channel/AbstractChannelHandlerContext$WriteTask.run;"
      "io/netty/channel/AbstractChannelHandlerContext.invokeWriteAndFlush;"
      "io/lettuce/core/protocol/CommandEncoder.encode;io/lettuce/core/protocol/Command.encode;"
      "io/lettuce/core/protocol/CommandArgs.encode", NULL}},
    /* Tomcat's poller and acceptor */
    {0, 0.01,
     JVM_THREAD "org/apache/tomcat/util/net/NioEndpoint$Poller.run",
     {"sun/nio/ch/SelectorImpl.select;sun/nio/ch/SelectorImpl.lockAndDoSelect;"
      "sun/nio/ch/EPollSelectorImpl.doSelect;sun/nio/ch/EPoll.wait;"
      "!nJava_sun_nio_ch_EPoll_wait;!cepoll_wait;" K_EPOLL,
      "org/apache/tomcat/util/net/NioEndpoint$Poller.events;"
      "org/apache/tomcat/util/net/NioEndpoint$PollerEvent.run", NULL}},
};

/* ---- Python 3.11 (Django REST framework under gunicorn), eBPF style:
 * Python frames named by py-spy's convention above the interpreter's
 * native frames ---- */

static const mix_lib MIX_PY_LIBS[] = {
    {'x', "/usr/local/bin/python3.11", 0x1000, 0x1000, PLACE_EXE_PIE},
    {'p', "/usr/local/lib/libpython3.11.so.1.0", 0x26b000, 0x6c000, PLACE_LIB},
    {'c', "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x165000, 0x28000, PLACE_LIB},
    {'q', "/usr/lib/x86_64-linux-gnu/libpq.so.5.15", 0x2a000, 0x9000, PLACE_LIB},
    {'o', "/usr/local/lib/python3.11/site-packages/orjson/orjson.cpython-311-x86_64-linux-gnu.so", 0x4d000, 0x10000, PLACE_LIB},
    {'s', "/usr/lib/x86_64-linux-gnu/libssl.so.3", 0x98000, 0x1f000, PLACE_LIB},
    {'k', "/usr/lib/x86_64-linux-gnu/libcrypto.so.3", 0x36a000, 0xc9000, PLACE_LIB},
    {'K', "[kernel.kallsyms]", 0x1600000, 0, PLACE_KERNEL},
};

#define SP "/usr/local/lib/python3.11/site-packages/"
#define PYLIB "/usr/local/lib/python3.11/"
static const char MIX_PY_ENTRY[] =
    "!x_start;!c__libc_start_main;!xmain;!pPy_BytesMain;!pPy_RunMain;"
    "!ppymain_run_python;!p_PyRun_AnyFileObject;!p_PyRun_SimpleFileObject;"
    "!prun_mod;!prun_eval_code_obj;!pPyEval_EvalCode;!p_PyEval_EvalFrameDefault;"
    "<module>@/usr/local/bin/gunicorn;"
    "run@" SP "gunicorn/app/wsgiapp.py;run@" SP "gunicorn/app/base.py;"
    "run@" SP "gunicorn/arbiter.py;manage_workers@" SP "gunicorn/arbiter.py;"
    "spawn_workers@" SP "gunicorn/arbiter.py;spawn_worker@" SP "gunicorn/arbiter.py;"
    "init_process@" SP "gunicorn/workers/base.py;run@" SP "gunicorn/workers/sync.py;"
    "run_for_one@" SP "gunicorn/workers/sync.py;accept@" SP "gunicorn/workers/sync.py;"
    "handle@" SP "gunicorn/workers/sync.py;handle_request@" SP "gunicorn/workers/sync.py;"
    "__call__@" SP "django/core/handlers/wsgi.py;get_response@" SP "django/core/handlers/base.py;"
    "inner@" SP "django/core/handlers/exception.py;__call__@" SP "django/utils/deprecation.py;"
    "inner@" SP "django/core/handlers/exception.py;__call__@" SP "django/utils/deprecation.py;"
    "inner@" SP "django/core/handlers/exception.py;__call__@" SP "corsheaders/middleware.py;"
    "inner@" SP "django/core/handlers/exception.py;__call__@" SP "django/utils/deprecation.py;"
    "inner@" SP "django/core/handlers/exception.py;_get_response@" SP "django/core/handlers/base.py;"
    "_view_wrapper@" SP "django/views/decorators/csrf.py;view@" SP "django/views/generic/base.py;"
    "dispatch@" SP "rest_framework/views.py";
static const char MIX_PY_INVOKE[] = "";
/* transaction.atomic as a decorator: ContextDecorator's wrapper. */
static const char MIX_PY_PROXY[] = "inner@" PYLIB "contextlib.py";

static const mix_chain MIX_PY_RESPOND = {
    0,
    "finalize_response@" SP "rest_framework/views.py;rendered_content@" SP "rest_framework/response.py;"
    "render@" SP "rest_framework/renderers.py",
    NULL, 0, 0,
    {"dumps@" PYLIB "json/__init__.py;encode@" PYLIB "json/encoder.py;iterencode@" PYLIB "json/encoder.py;"
     "!pencoder_listencode_obj",
     "dumps@" PYLIB "json/__init__.py;encode@" PYLIB "json/encoder.py;"
     "iterencode@" PYLIB "json/encoder.py;default@" SP "rest_framework/utils/encoders.py;"
     "isoformat@" PYLIB "datetime.py",
     "data@" SP "rest_framework/serializers.py;data@" SP "rest_framework/serializers.py;"
     "to_representation@" SP "rest_framework/serializers.py;"
     "to_representation@" SP "rest_framework/serializers.py;"
     "to_representation@" SP "rest_framework/fields.py",
     "data@" SP "rest_framework/serializers.py;to_representation@" SP "rest_framework/serializers.py;"
     "_readable_fields@" SP "rest_framework/serializers.py;fields@" SP "django/utils/functional.py;"
     "get_fields@" SP "rest_framework/serializers.py;deepcopy@" PYLIB "copy.py;"
     "_reconstruct@" PYLIB "copy.py;deepcopy@" PYLIB "copy.py",
     "data@" SP "rest_framework/serializers.py;to_representation@" SP "rest_framework/serializers.py;"
     "get_attribute@" SP "rest_framework/fields.py;get_attribute@" SP "rest_framework/fields.py;"
     "!pPyObject_GetAttr;!p_PyObject_GenericGetAttrWithDict",
     NULL}};

#define DJ_QUERY                                                              \
    "__iter__@" SP "django/db/models/query.py;_fetch_all@" SP "django/db/models/query.py;" \
    "__iter__@" SP "django/db/models/query.py;execute_sql@" SP "django/db/models/sql/compiler.py;"
static const mix_chain MIX_PY_CHAINS[] = {
    {F_SQL, DJ_QUERY, NULL, 0, 0,
     {"execute@" SP "django/db/backends/utils.py;_execute_with_wrappers@" SP "django/db/backends/utils.py;"
      "_execute@" SP "django/db/backends/utils.py;!qPQexec;!qPQgetResult;"
      "!qpqWait;!qpqSocketCheck;!c__poll;" K_SYSCALL "!Kdo_sys_poll;!Kdo_poll.constprop.0;!Kschedule_hrtimeout_range_clock",
      "execute@" SP "django/db/backends/utils.py;_execute_with_wrappers@" SP "django/db/backends/utils.py;"
      "_execute@" SP "django/db/backends/utils.py;!qPQexec;!qPQsendQuery;!qpqFlush;!qpqsecure_write;"
      "!c__libc_send;" K_SEND,
      "as_sql@" SP "django/db/models/sql/compiler.py;pre_sql_setup@" SP "django/db/models/sql/compiler.py;"
      "setup_query@" SP "django/db/models/sql/compiler.py;get_select@" SP "django/db/models/sql/compiler.py;"
      "get_default_columns@" SP "django/db/models/sql/compiler.py",
      "results_iter@" SP "django/db/models/sql/compiler.py;apply_converters@" SP "django/db/models/sql/compiler.py;"
      "from_db_value@" SP "django/db/models/fields/json.py;loads@" PYLIB "json/__init__.py;"
      "decode@" PYLIB "json/decoder.py;raw_decode@" PYLIB "json/decoder.py",
      "from_db@" SP "django/db/models/base.py;__init__@" SP "django/db/models/base.py;"
      "send@" SP "django/dispatch/dispatcher.py;!p_PyObject_MakeTpCall",
      "as_sql@" SP "django/db/models/sql/compiler.py;compile@" SP "django/db/models/sql/compiler.py;"
      "as_sql@" SP "django/db/models/sql/where.py;compile@" SP "django/db/models/sql/compiler.py;"
      "as_sql@" SP "django/db/models/lookups.py;process_rhs@" SP "django/db/models/lookups.py", NULL}},
    {F_REDIS,
     "get@" SP "django/core/cache/backends/redis.py;get@" SP "redis/commands/core.py;"
     "execute_command@" SP "redis/client.py;_execute_command@" SP "redis/client.py;"
     "call_with_retry@" SP "redis/retry.py",
     NULL, 0, 0,
     {"<lambda>@" SP "redis/client.py;parse_response@" SP "redis/client.py;"
      "read_response@" SP "redis/connection.py;read_response@" SP "redis/_parsers/hiredis.py;"
      "read_from_socket@" SP "redis/_parsers/hiredis.py;!psock_recv_into;!c__libc_recv;" K_RECV,
      "<lambda>@" SP "redis/client.py;send_command@" SP "redis/connection.py;"
      "send_packed_command@" SP "redis/connection.py;!psock_sendall;!c__libc_send;" K_SEND,
      "loads@" SP "django_redis/serializers/pickle.py;!p_pickle_loads;!pload",
      NULL}},
    {F_PEERS,
     "get@" SP "requests/api.py;request@" SP "requests/api.py;request@" SP "requests/sessions.py;"
     "send@" SP "requests/sessions.py;send@" SP "requests/adapters.py;urlopen@" SP "urllib3/connectionpool.py;"
     "_make_request@" SP "urllib3/connectionpool.py",
     NULL, 0, 0,
     {"getresponse@" SP "urllib3/connection.py;getresponse@" PYLIB "http/client.py;"
      "begin@" PYLIB "http/client.py;_read_status@" PYLIB "http/client.py;readinto@" PYLIB "socket.py;"
      "!psock_recv_into;!c__libc_recv;" K_RECV,
      "request@" SP "urllib3/connection.py;endheaders@" PYLIB "http/client.py;"
      "_send_output@" PYLIB "http/client.py;send@" PYLIB "http/client.py;!psock_sendall;!c__libc_send;" K_SEND,
      "json@" SP "requests/models.py;loads@" SP "requests/compat.py;loads@" PYLIB "json/__init__.py;"
      "decode@" PYLIB "json/decoder.py;raw_decode@" PYLIB "json/decoder.py;!pscanstring_unicode",
      NULL}},
    {0, "info@" PYLIB "logging/__init__.py;_log@" PYLIB "logging/__init__.py;handle@" PYLIB "logging/__init__.py;"
        "callHandlers@" PYLIB "logging/__init__.py;handle@" PYLIB "logging/__init__.py",
     NULL, 0, 0,
     {"emit@" PYLIB "logging/__init__.py;format@" PYLIB "logging/__init__.py;"
      "format@" SP "pythonjsonlogger/jsonlogger.py;jsonify_log_record@" SP "pythonjsonlogger/jsonlogger.py;"
      "dumps@" SP "orjson/__init__.py;!oorjson::serialize::serializer::PyObjectSerializer::serialize;"
      "!oorjson::serialize::per_type::dict::Dict::serialize;!o?",
      "emit@" PYLIB "logging/__init__.py;flush@" PYLIB "logging/__init__.py;!p_io_TextIOWrapper_flush;"
      "!p_bufferedwriter_flush_unlocked;!c__libc_write;" K_FWRITE,
      "emit@" PYLIB "logging/__init__.py;format@" PYLIB "logging/__init__.py;"
      "formatTime@" PYLIB "logging/__init__.py;!ptime_strftime;!c__strftime_l",
      NULL}},
    {0, "", NULL, 0, 0,
     {"is_valid@" SP "rest_framework/serializers.py;run_validation@" SP "rest_framework/serializers.py;"
      "to_internal_value@" SP "rest_framework/serializers.py;run_validation@" SP "rest_framework/fields.py;"
      "run_validators@" SP "rest_framework/fields.py;__call__@" SP "django/core/validators.py;"
      "search@" PYLIB "re/__init__.py;!p_sre_SRE_Pattern_search;!psre_ucs1_search",
      "is_valid@" SP "rest_framework/serializers.py;run_validation@" SP "rest_framework/serializers.py;"
      "to_internal_value@" SP "rest_framework/serializers.py;to_internal_value@" SP "rest_framework/fields.py;"
      "parse_datetime@" SP "django/utils/dateparse.py;fromisoformat@" PYLIB "datetime.py",
      "<listcomp>@" PYLIB "json/decoder.py;!p_PyEval_EvalFrameDefault",
      "deepcopy@" PYLIB "copy.py;_deepcopy_dict@" PYLIB "copy.py;deepcopy@" PYLIB "copy.py;"
      "_deepcopy_list@" PYLIB "copy.py;!pPyDict_SetItem;!pinsertdict;!pdictresize",
      "!pgc_collect_main;!pdeduce_unreachable;!pvisit_reachable",
      "!p_PyObject_Malloc;!ppymalloc_alloc;!pallocate_from_new_pool",
      "!p_PyEval_EvalFrameDefault", NULL}},
    {F_HASH, "new@" PYLIB "hashlib.py;!p_hashlib_openssl_sha256_impl", NULL, 0, 0,
     {"!kEVP_DigestUpdate;!ksha256_block_data_order_avx2", "!kEVP_DigestFinal_ex;!kSHA256_Final", NULL}},
    {F_SSL,
     "recv_into@" PYLIB "ssl.py;read@" PYLIB "ssl.py;!p_ssl__SSLSocket_read;!sSSL_read;!sssl3_read_bytes",
     NULL, 0, 0,
     {"!stls_get_more_records;!kEVP_DecryptUpdate;!kaes_gcm_cipher;!kaesni_gcm_decrypt",
      "!sssl3_read_n;!sBIO_read;!c__libc_read;" K_READ, NULL}},
};

static const mix_bg MIX_PY_BG[] = {
    {0, 0.02,
     "!x_start;!c__libc_start_main;!xmain;!pPy_BytesMain;!pPy_RunMain;!ppymain_run_python;"
     "!p_PyRun_SimpleFileObject;!pPyEval_EvalCode;!p_PyEval_EvalFrameDefault;"
     "<module>@/usr/local/bin/gunicorn;run@" SP "gunicorn/app/wsgiapp.py;run@" SP "gunicorn/arbiter.py",
     {"sleep@" SP "gunicorn/arbiter.py;!ptime_sleep;!c__clock_nanosleep;" K_SYSCALL
      "!K__x64_sys_clock_nanosleep;!Kcommon_nsleep;!Khrtimer_nanosleep;!Kdo_nanosleep;!Kschedule",
      "murder_workers@" SP "gunicorn/arbiter.py;last_update@" SP "gunicorn/workers/workertmp.py;"
      "!pos_fstat;!c__fstat64;" K_SYSCALL "!K__do_sys_newfstat;!Kvfs_fstat",
      NULL}},
    {0, 0.04,
     "!x_start;!c__libc_start_main;!xmain;!pPy_BytesMain;!pPy_RunMain;!ppymain_run_python;"
     "!p_PyRun_SimpleFileObject;!pPyEval_EvalCode;!p_PyEval_EvalFrameDefault;"
     "<module>@/usr/local/bin/gunicorn;run@" SP "gunicorn/app/wsgiapp.py;run@" SP "gunicorn/arbiter.py;"
     "spawn_worker@" SP "gunicorn/arbiter.py;init_process@" SP "gunicorn/workers/base.py;"
     "run@" SP "gunicorn/workers/sync.py;run_for_one@" SP "gunicorn/workers/sync.py",
     {"wait@" SP "gunicorn/workers/sync.py;select@" PYLIB "selectors.py;!pselect_epoll_poll_impl;!cepoll_wait;" K_EPOLL,
      "notify@" SP "gunicorn/workers/base.py;notify@" SP "gunicorn/workers/workertmp.py;!pos_fchmod;!cfchmod",
      "!p_PyEval_EvalFrameDefault;!pgc_collect_main;!pdeduce_unreachable;!psubtract_refs",
      "!p_PyEval_EvalFrameDefault;!pgc_collect_main;!pmove_unreachable",
      "!p_PyEval_EvalFrameDefault;!p_Py_HandlePending;!pmake_pending_calls", NULL}},
};

/* ---- Node.js 20 (Express), eBPF style: JavaScript frames named by V8's
 * convention interleaved with the V8 and libuv C++ under them ---- */

static const mix_lib MIX_NODE_LIBS[] = {
    {'n', "/usr/local/bin/node", 0x4a00000, 0x9b0000, PLACE_EXE_PIE},
    {'c', "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x165000, 0x28000, PLACE_LIB},
    {'+', "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", 0x11a000, 0x9a000, PLACE_LIB},
    {'K', "[kernel.kallsyms]", 0x1600000, 0, PLACE_KERNEL},
};

#define NM "/app/node_modules/"
#define NODE_LOOP                                                             \
    "!n_start;!c__libc_start_main;!nmain;!nnode::Start(int, char**);"         \
    "!nnode::NodeMainInstance::Run();!nnode::SpinEventLoop(node::Environment*);" \
    "!nuv_run;!nuv__io_poll;"
#define NODE_CALL                                                             \
    "!nnode::InternalMakeCallback(node::Environment*, v8::Local<v8::Object>, v8::Local<v8::Object>, v8::Local<v8::Function>, int, v8::Local<v8::Value>*, node::async_context);" \
    "!nv8::Function::Call(v8::Local<v8::Context>, v8::Local<v8::Value>, int, v8::Local<v8::Value>*);" \
    "!nv8::internal::Execution::Call(v8::internal::Isolate*, v8::internal::Handle<v8::internal::Object>, v8::internal::Handle<v8::internal::Object>, int, v8::internal::Handle<v8::internal::Object>*);" \
    "!nv8::internal::(anonymous namespace)::Invoke(v8::internal::Isolate*, v8::internal::(anonymous namespace)::InvokeParams const&);" \
    "!nBuiltins_JSEntry;!nBuiltins_JSEntryTrampoline;"
static const char MIX_NODE_ENTRY[] =
    NODE_LOOP "!nuv__stream_io;!nuv__read;"
    "!nnode::LibuvStreamWrap::OnUvRead(long, uv_buf_t const*);"
    "!nnode::EmitToJSStreamListener::OnStreamRead(long, uv_buf_t const&);"
    "!nnode::StreamBase::CallJSOnreadMethod(long, v8::Local<v8::ArrayBuffer>, unsigned long, node::StreamBase::StreamBaseJSChecks);"
    NODE_CALL
    "onStreamRead@node:internal/stream_base_commons;"
    "!nnode::(anonymous namespace)::Parser::Execute(v8::FunctionCallbackInfo<v8::Value> const&);"
    "!nllhttp_execute;!nllhttp__internal_execute;"
    "!nnode::(anonymous namespace)::Parser::on_headers_complete();"
    "!nBuiltins_JSEntry;!nBuiltins_JSEntryTrampoline;"
    "parserOnHeadersComplete@node:_http_common;parserOnIncoming@node:_http_server;"
    "emit@node:events;app@" NM "express/lib/express.js;handle@" NM "express/lib/application.js;"
    "handle@" NM "express/lib/router/index.js;next@" NM "express/lib/router/index.js;"
    "handle@" NM "express/lib/router/layer.js;query@" NM "express/lib/middleware/query.js;"
    "next@" NM "express/lib/router/index.js;handle@" NM "express/lib/router/layer.js;"
    "expressInit@" NM "express/lib/middleware/init.js;next@" NM "express/lib/router/index.js;"
    "handle@" NM "express/lib/router/layer.js;corsMiddleware@" NM "cors/lib/index.js;"
    "next@" NM "express/lib/router/index.js;handle@" NM "express/lib/router/layer.js;"
    "jsonParser@" NM "body-parser/lib/types/json.js;next@" NM "express/lib/router/index.js;"
    "handle@" NM "express/lib/router/layer.js;dispatch@" NM "express/lib/router/route.js;"
    "next@" NM "express/lib/router/route.js;handle@" NM "express/lib/router/layer.js";
/* After an await: the continuation runs from the microtask queue. */
static const char MIX_NODE_ENTRY_ASYNC[] =
    NODE_LOOP "!nuv__stream_io;!nuv__read;"
    "!nnode::LibuvStreamWrap::OnUvRead(long, uv_buf_t const*);"
    "!nnode::EmitToJSStreamListener::OnStreamRead(long, uv_buf_t const&);"
    "!nnode::StreamBase::CallJSOnreadMethod(long, v8::Local<v8::ArrayBuffer>, unsigned long, node::StreamBase::StreamBaseJSChecks);"
    "!nnode::InternalCallbackScope::Close();"
    "!nnode::InternalCallbackScope::Close()::$_0::__invoke(v8::FunctionCallbackInfo<v8::Value> const&);"
    "!nv8::internal::MicrotaskQueue::RunMicrotasks(v8::internal::Isolate*);"
    "!nv8::internal::Execution::TryRunMicrotasks(v8::internal::Isolate*, v8::internal::MicrotaskQueue*);"
    "!nBuiltins_JSRunMicrotasksEntry;!nBuiltins_RunMicrotasks;"
    "!nBuiltins_PromiseFulfillReactionJob;!nBuiltins_AsyncFunctionAwaitResolveClosure;"
    "!nBuiltins_ResumeGeneratorTrampoline";
static const char MIX_NODE_INVOKE[] = "";
static const char MIX_NODE_PROXY[] = "!nBuiltins_InterpreterEntryTrampoline";

static const mix_chain MIX_NODE_RESPOND = {
    0, "json@" NM "express/lib/response.js;stringify@" NM "express/lib/response.js",
    NULL, 0, 0,
    {"!nBuiltins_JsonStringify;!nv8::internal::JsonStringify(v8::internal::Isolate*, v8::internal::Handle<v8::internal::Object>, v8::internal::Handle<v8::internal::Object>, v8::internal::Handle<v8::internal::Object>);"
     "!nv8::internal::JsonStringifier::Serialize_<false>(v8::internal::Handle<v8::internal::Object>, bool, v8::internal::Handle<v8::internal::Object>);"
     "!nv8::internal::JsonStringifier::SerializeJSObject(v8::internal::Handle<v8::internal::JSObject>, v8::internal::Handle<v8::internal::Object>)",
     "!nBuiltins_JsonStringify;!nv8::internal::JsonStringify(v8::internal::Isolate*, v8::internal::Handle<v8::internal::Object>, v8::internal::Handle<v8::internal::Object>, v8::internal::Handle<v8::internal::Object>);"
     "!nv8::internal::JsonStringifier::SerializeString(v8::internal::Handle<v8::internal::String>)",
     "send@" NM "express/lib/response.js;end@node:_http_outgoing;_send@node:_http_outgoing;"
     "_writeRaw@node:_http_outgoing;write@node:net;_write@node:internal/streams/writable;"
     "writeOrBuffer@node:internal/streams/writable;_writeGeneric@node:net;"
     "writeGeneric@node:internal/stream_base_commons;!nnode::StreamBase::WriteString<(node::encoding)1>(v8::FunctionCallbackInfo<v8::Value> const&);"
     "!nuv_try_write;!nuv__try_write;!c__writev;" K_SYSCALL "!Kdo_writev;!Kvfs_writev;!Ksock_write_iter;!Ktcp_sendmsg",
     "send@" NM "express/lib/response.js;etag@" NM "etag/index.js;entitytag@" NM "etag/index.js;"
     "update@node:internal/crypto/hash;!nnode::crypto::Hash::HashUpdate(v8::FunctionCallbackInfo<v8::Value> const&);"
     "!nEVP_DigestUpdate;!nsha1_block_data_order_avx2", NULL}};

static const mix_chain MIX_NODE_CHAINS[] = {
    {F_SQL, "query@" NM "pg/lib/client.js;_pulseQueryQueue@" NM "pg/lib/client.js", NULL, 0, 0,
     {"submit@" NM "pg/lib/query.js;sync@" NM "pg/lib/connection.js;_send@" NM "pg/lib/connection.js;"
      "write@node:net;_write@node:internal/streams/writable;writeOrBuffer@node:internal/streams/writable;"
      "_writeGeneric@node:net;writeGeneric@node:internal/stream_base_commons;"
      "!nnode::StreamBase::WriteBuffer(v8::FunctionCallbackInfo<v8::Value> const&);"
      "!nuv_try_write;!nuv__try_write;!c__libc_write;" K_WRITE,
      "handleDataRow@" NM "pg/lib/query.js;parseRow@" NM "pg/lib/result.js;"
      "noParse@" NM "pg-types/lib/textParsers.js",
      "handleDataRow@" NM "pg/lib/query.js;parseRow@" NM "pg/lib/result.js;"
      "parseDate@" NM "postgres-date/index.js;!nBuiltins_RegExpPrototypeExec",
      "parse@" NM "pg-protocol/dist/parser.js;handlePacket@" NM "pg-protocol/dist/parser.js;"
      "parseDataRowMessage@" NM "pg-protocol/dist/parser.js;string@" NM "pg-protocol/dist/parser.js;"
      "toString@node:buffer;!nnode::StringBytes::Encode(v8::Isolate*, char const*, unsigned long, node::encoding, v8::Local<v8::Value>*)",
      NULL}},
    {F_REDIS, "get@" NM "ioredis/built/utils/Commander.js;sendCommand@" NM "ioredis/built/Redis.js",
     NULL, 0, 0,
     {"write@node:net;_write@node:internal/streams/writable;writeOrBuffer@node:internal/streams/writable;"
      "_writeGeneric@node:net;writeGeneric@node:internal/stream_base_commons;"
      "!nnode::StreamBase::WriteString<(node::encoding)1>(v8::FunctionCallbackInfo<v8::Value> const&);"
      "!nuv_try_write;!nuv__try_write;!c__libc_write;" K_WRITE,
      "toWritable@" NM "ioredis/built/Command.js;_convertValue@" NM "ioredis/built/Command.js;!nBuiltins_StringAdd_CheckNone",
      "!nBuiltins_JsonParse;!nv8::internal::JsonParser<unsigned char>::ParseJson(v8::internal::Handle<v8::internal::Object>);"
      "!nv8::internal::JsonParser<unsigned char>::ParseJsonValue()", NULL}},
    {F_PEERS, "request@" NM "axios/lib/core/Axios.js;dispatchRequest@" NM "axios/lib/core/dispatchRequest.js;"
              "httpAdapter@" NM "axios/lib/adapters/http.js", NULL, 0, 0,
     {"request@node:http;ClientRequest@node:_http_client;end@node:_http_outgoing;_send@node:_http_outgoing;"
      "_writeRaw@node:_http_outgoing;write@node:net;_writeGeneric@node:net;writeGeneric@node:internal/stream_base_commons;"
      "!nnode::StreamBase::WriteString<(node::encoding)1>(v8::FunctionCallbackInfo<v8::Value> const&);!nuv_try_write;!c__writev;" K_SEND,
      "transformResponse@" NM "axios/lib/defaults/index.js;!nBuiltins_JsonParse;"
      "!nv8::internal::JsonParser<unsigned char>::ParseJson(v8::internal::Handle<v8::internal::Object>)",
      "mergeConfig@" NM "axios/lib/core/mergeConfig.js;forEach@" NM "axios/lib/utils.js;!nBuiltins_ArrayForEach", NULL}},
    {0, "info@" NM "pino/lib/proto.js;write@" NM "pino/lib/proto.js", NULL, 0, 0,
     {"asJson@" NM "pino/lib/tools.js;stringify@" NM "safe-stable-stringify/index.js;"
      "stringifyFnReplacer@" NM "safe-stable-stringify/index.js;!nBuiltins_StringAdd_CheckNone",
      "write@" NM "sonic-boom/index.js;actualWrite@" NM "sonic-boom/index.js;writeSync@node:fs;"
      "!nnode::fs::WriteString(v8::FunctionCallbackInfo<v8::Value> const&);!nuv_fs_write;!c__libc_write;" K_FWRITE,
      "asJson@" NM "pino/lib/tools.js;!nBuiltins_JsonStringify;!nv8::internal::JsonStringifier::SerializeString(v8::internal::Handle<v8::internal::String>)",
      NULL}},
    {0, "", NULL, 0, 0,
     {"validate@" NM "joi/lib/base.js;$_validate@" NM "joi/lib/base.js;validate@" NM "joi/lib/validator.js;"
      "internals.validate@" NM "joi/lib/validator.js;validate@" NM "joi/lib/types/keys.js;"
      "internals.validate@" NM "joi/lib/validator.js;validate@" NM "joi/lib/types/string.js",
      "map@" NM "lodash/lodash.js;arrayMap@" NM "lodash/lodash.js;!nBuiltins_ArrayMap",
      "!nBuiltins_CreateShallowObjectLiteral;!nv8::internal::Runtime_AllocateInYoungGeneration(int, unsigned long*, v8::internal::Isolate*);"
      "!nv8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags);"
      "!nv8::internal::ScavengerCollector::CollectGarbage();!nv8::internal::Scavenger::ScavengePage(v8::internal::MemoryChunk*)",
      "!nBuiltins_InterpreterEntryTrampoline;!nBuiltins_LdaNamedPropertyHandler;!nBuiltins_LoadIC",
      "!nBuiltins_InterpreterEntryTrampoline;!nBuiltins_CallFunction_ReceiverIsAny;!n?",
      "!nv8::internal::Runtime_CompileLazy(int, unsigned long*, v8::internal::Isolate*);"
      "!nv8::internal::Compiler::Compile(v8::internal::Isolate*, v8::internal::Handle<v8::internal::JSFunction>, v8::internal::Compiler::ClearExceptionFlag, v8::internal::IsCompiledScope*);"
      "!nv8::internal::Parser::ParseFunction(v8::internal::Isolate*, v8::internal::ParseInfo*, v8::internal::Handle<v8::internal::SharedFunctionInfo>)",
      "!n?", NULL}},
    {F_HASH, "createHash@node:crypto;Hash@node:internal/crypto/hash;update@node:internal/crypto/hash", NULL, 0, 0,
     {"!nnode::crypto::Hash::HashUpdate(v8::FunctionCallbackInfo<v8::Value> const&);!nEVP_DigestUpdate;!nsha256_block_data_order_avx2",
      "digest@node:internal/crypto/hash;!nnode::crypto::Hash::HashDigest(v8::FunctionCallbackInfo<v8::Value> const&);!nEVP_DigestFinal_ex", NULL}},
};

static const mix_bg MIX_NODE_BG[] = {
    {0, 0.05, "!n_start;!c__libc_start_main;!nmain;!nnode::Start(int, char**);!nnode::NodeMainInstance::Run();!nnode::SpinEventLoop(node::Environment*);!nuv_run",
     {"!cepoll_wait;" K_EPOLL, "!nuv__run_timers;!nnode::Environment::RunTimers(uv_timer_s*);" NODE_CALL
      "processTimers@node:internal/timers;listOnTimeout@node:internal/timers", NULL}},
    {0, 0.06,
     "!cclone3;!cstart_thread;!nnode::(anonymous namespace)::PlatformWorkerThread(void*);"
     "!nv8::platform::DefaultJobWorker::Run()",
     {"!nv8::internal::ScavengerCollector::JobTask::Run(v8::JobDelegate*);"
      "!nv8::internal::Scavenger::Process(v8::JobDelegate*);!nv8::internal::Scavenger::ScavengePage(v8::internal::MemoryChunk*)",
      "!nv8::internal::ConcurrentMarking::JobTaskImpl::Run(v8::JobDelegate*);"
      "!nv8::internal::ConcurrentMarking::RunMajor(v8::JobDelegate*, v8::base::EnumSet<v8::internal::CodeFlushMode, int>, unsigned int, bool);"
      "!nv8::internal::ConcurrentMarkingVisitor::VisitJSObjectSubclass<v8::internal::JSObject, v8::internal::JSObject::BodyDescriptor>(v8::internal::Map, v8::internal::JSObject)",
      "!nv8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal();"
      "!nv8::internal::compiler::PipelineCompilationJob::ExecuteJobImpl(v8::internal::RuntimeCallStats*, v8::internal::LocalIsolate*);"
      "!nv8::internal::compiler::PipelineImpl::OptimizeGraph(v8::internal::compiler::Linkage*);"
      "!nv8::internal::compiler::PipelineImpl::Run<v8::internal::compiler::TypedLoweringPhase>()",
      "!nv8::internal::SweeperJob::Run(v8::JobDelegate*);!nv8::internal::Sweeper::RawSweep(v8::internal::Page*, v8::internal::FreeSpaceTreatmentMode, v8::internal::SweepingMode)",
      "!n?", NULL}},
    {0, 0.01, "!cclone3;!cstart_thread;!nworker",
     {"!nuv__fs_work;!nuv__fs_read;!c__libc_pread64;" K_SYSCALL "!K__x64_sys_pread64;!Kvfs_read",
      "!nuv_cond_wait;!c__pthread_cond_wait;" K_FUTEX, NULL}},
};

/* ---- native: a Rust service (tokio, hyper, axum, sqlx), eBPF style:
 * names from the ELF symbol table, some frames not resolved ---- */

static const mix_lib MIX_RUST_LIBS[] = {
    {'e', "/usr/local/bin/%s", 0x1c00000, 0x5e000, PLACE_EXE_PIE},
    {'c', "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x165000, 0x28000, PLACE_LIB},
    {'m', "/usr/lib/x86_64-linux-gnu/libm.so.6", 0x7d000, 0xe000, PLACE_LIB},
    {'K', "[kernel.kallsyms]", 0x1600000, 0, PLACE_KERNEL},
};

#define TOKIO_WORKER                                                          \
    "!cclone3;!cstart_thread;std::sys::unix::thread::Thread::new::thread_start;" \
    "core::ops::function::FnOnce::call_once{{vtable.shim}};"                  \
    "std::sys_common::backtrace::__rust_begin_short_backtrace;"               \
    "tokio::runtime::blocking::pool::Inner::run;"                             \
    "tokio::runtime::task::harness::Harness<T,S>::poll;"                      \
    "tokio::runtime::scheduler::multi_thread::worker::run;"                   \
    "tokio::runtime::context::runtime::enter_runtime;"                        \
    "tokio::runtime::scheduler::multi_thread::worker::Context::run;"
static const char MIX_RUST_ENTRY[] =
    TOKIO_WORKER
    "tokio::runtime::scheduler::multi_thread::worker::Context::run_task;"
    "tokio::runtime::task::raw::poll;"
    "tokio::runtime::task::harness::Harness<T,S>::poll;"
    "tokio::runtime::task::core::Core<T,S>::poll;"
    "hyper_util::server::conn::auto::UpgradeableConnection<I,S,E>::poll;"
    "hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_catch;"
    "hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_inner;"
    "hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_loop;"
    "hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T>::poll_read;"
    "<hyper::proto::h1::dispatch::Server<S,hyper::body::incoming::Incoming> as hyper::proto::h1::dispatch::Dispatch>::poll_msg;"
    "<tower_http::trace::future::ResponseFuture<Fut,C,OnResponseT,OnBodyChunkT,OnEosT,OnFailureT> as core::future::future::Future>::poll;"
    "<tower::util::map_response::MapResponseFuture<F,N> as core::future::future::Future>::poll;"
    "<axum::routing::route::RouteFuture<E> as core::future::future::Future>::poll;"
    "<tower::util::oneshot::Oneshot<S,Req> as core::future::future::Future>::poll;"
    "<axum::handler::HandlerService<H,T,S> as tower_service::Service<http::request::Request<B>>>::call::{{closure}};"
    "<F as axum::handler::Handler<(M,T1,T2),S>>::call::{{closure}}";
static const char MIX_RUST_INVOKE[] = "";
static const char MIX_RUST_PROXY[] = "";

static const mix_chain MIX_RUST_RESPOND = {
    0, "<axum::json::Json<T> as axum_core::response::into_response::IntoResponse>::into_response;"
       "serde_json::ser::to_writer;<&mut serde_json::ser::Serializer<W,F> as serde::ser::Serializer>::collect_seq",
    NULL, 0, 0,
    {"<serde_json::ser::Compound<W,F> as serde::ser::SerializeStruct>::serialize_field;"
     "serde_json::ser::format_escaped_str_contents",
     "<serde_json::ser::Compound<W,F> as serde::ser::SerializeStruct>::serialize_field;"
     "<i64 as itoa::private::Sealed>::write",
     "<serde_json::ser::Compound<W,F> as serde::ser::SerializeStruct>::serialize_field;"
     "<chrono::datetime::DateTime<Tz> as serde::ser::Serialize>::serialize;"
     "chrono::format::formatting::DelayedFormat<I>::format;core::fmt::write",
     "bytes::bytes_mut::BytesMut::reserve_inner;alloc::raw_vec::RawVec<T,A>::reserve::do_reserve_and_handle;"
     "alloc::raw_vec::finish_grow;!c__libc_realloc;!c_int_realloc", NULL}};

static const mix_chain MIX_RUST_CHAINS[] = {
    {F_SQL, "sqlx_core::query_as::QueryAs<DB,O,A>::fetch_all::{{closure}};"
            "<sqlx_core::pool::connection::PoolConnection<DB> as sqlx_core::executor::Executor>::fetch_many::{{closure}};"
            "sqlx_postgres::connection::executor::<impl sqlx_postgres::connection::PgConnection>::run::{{closure}}",
     NULL, 0, 0,
     {"sqlx_postgres::connection::stream::PgStream::recv_unchecked::{{closure}};"
      "sqlx_core::net::socket::buffered::BufferedSocket<S>::read_buffered::{{closure}};"
      "<tokio::net::tcp::stream::TcpStream as tokio::io::async_read::AsyncRead>::poll_read;"
      "mio::net::tcp::stream::TcpStream::read;!c__libc_recv;" K_RECV,
      "sqlx_core::net::socket::buffered::BufferedSocket<S>::flush::{{closure}};"
      "<tokio::net::tcp::stream::TcpStream as tokio::io::async_write::AsyncWrite>::poll_write;"
      "mio::net::tcp::stream::TcpStream::write;!c__libc_send;" K_SEND,
      "<sqlx_postgres::row::PgRow as sqlx_core::row::Row>::try_get;"
      "<alloc::string::String as sqlx_core::decode::Decode<sqlx_postgres::database::Postgres>>::decode;"
      "core::str::converts::from_utf8",
      "sqlx_postgres::connection::executor::<impl sqlx_postgres::connection::PgConnection>::get_or_prepare::{{closure}};"
      "hashbrown::map::HashMap<K,V,S,A>::get;core::hash::BuildHasher::hash_one", NULL}},
    {F_REDIS, "redis::aio::multiplexed_connection::MultiplexedConnection::send_packed_command::{{closure}};"
              "redis::aio::multiplexed_connection::Pipeline<SinkItem>::send_recv::{{closure}}",
     NULL, 0, 0,
     {"<tokio::sync::mpsc::chan::Tx<T,S>>::send;tokio::sync::task::atomic_waker::AtomicWaker::wake;"
      "tokio::runtime::scheduler::multi_thread::worker::<impl tokio::runtime::task::Schedule for alloc::sync::Arc<tokio::runtime::scheduler::multi_thread::handle::Handle>>::schedule",
      "redis::types::from_redis_value;<alloc::string::String as redis::types::FromRedisValue>::from_redis_value;"
      "alloc::string::String::from_utf8", NULL}},
    {F_PEERS, "reqwest::async_impl::client::Client::execute::{{closure}};"
              "<reqwest::async_impl::client::Pending as core::future::future::Future>::poll;"
              "<hyper_util::client::legacy::client::ResponseFuture as core::future::future::Future>::poll",
     NULL, 0, 0,
     {"hyper::proto::h1::conn::Conn<I,B,T>::poll_read_head;hyper::proto::h1::io::Buffered<T,B>::parse;"
      "hyper::proto::h1::role::Client::parse;httparse::Response::parse",
      "hyper::proto::h1::io::Buffered<T,B>::poll_flush;<tokio::net::tcp::stream::TcpStream as tokio::io::async_write::AsyncWrite>::poll_write_vectored;"
      "mio::net::tcp::stream::TcpStream::write_vectored;!c__writev;" K_SYSCALL "!Kdo_writev;!Kvfs_writev;!Ksock_write_iter;!Ktcp_sendmsg",
      "reqwest::async_impl::response::Response::json::{{closure}};serde_json::de::from_slice;"
      "<serde_json::de::Deserializer<R> as serde::de::Deserializer>::deserialize_struct;"
      "serde_json::de::Deserializer<R>::parse_str_bytes", NULL}},
    {0, "tracing::event::Event::dispatch;tracing_core::dispatcher::Dispatch::event;"
        "<tracing_subscriber::layer::layered::Layered<L,S> as tracing_core::subscriber::Subscriber>::event",
     NULL, 0, 0,
     {"<tracing_subscriber::fmt::fmt_layer::Layer<S,N,E,W> as tracing_subscriber::layer::Layer<S>>::on_event;"
      "<tracing_subscriber::fmt::format::Format<tracing_subscriber::fmt::format::Json,T> as tracing_subscriber::fmt::format::FormatEvent<S,N>>::format_event;"
      "serde_json::ser::format_escaped_str_contents",
      "<tracing_subscriber::fmt::fmt_layer::Layer<S,N,E,W> as tracing_subscriber::layer::Layer<S>>::on_event;"
      "<std::io::stdio::Stdout as std::io::Write>::write_all;std::io::Write::write_all;!c__libc_write;" K_FWRITE,
      "<tracing_subscriber::fmt::time::SystemTime as tracing_subscriber::fmt::time::FormatTime>::format_time;"
      "<chrono::format::DelayedFormat<I> as core::fmt::Display>::fmt;!c__tz_convert", NULL}},
    {0, "", NULL, 0, 0,
     {"alloc::vec::Vec<T,A>::reserve;alloc::raw_vec::RawVec<T,A>::reserve::do_reserve_and_handle;"
      "alloc::raw_vec::finish_grow;!c__libc_malloc;!c_int_malloc",
      "hashbrown::map::HashMap<K,V,S,A>::insert;hashbrown::raw::RawTable<T,A>::reserve_rehash;core::hash::BuildHasher::hash_one",
      "<alloc::string::String as core::clone::Clone>::clone;!c__memmove_avx_unaligned_erms",
      "core::ptr::drop_in_place<alloc::vec::Vec<T>>;!ccfree;!c_int_free",
      "core::slice::sort::recurse;core::slice::sort::partition;core::slice::sort::choose_pivot",
      "regex::regex::string::Regex::is_match;regex_automata::meta::strategy::Core::is_match;"
      "regex_automata::hybrid::search::find_fwd",
      "!e?;!e?", NULL}},
    {F_HASH, "sha2::sha256::compress256;sha2::sha256::x86::digest_blocks", NULL, 0, 0,
     {"sha2::sha256::x86::sha256_transform_rounds", "!e?", NULL}},
    {F_SSL, "<tokio_rustls::client::TlsStream<IO> as tokio::io::async_read::AsyncRead>::poll_read;"
            "rustls::conn::ConnectionCommon<Data>::process_new_packets",
     NULL, 0, 0,
     {"rustls::record_layer::RecordLayer::decrypt_incoming;<rustls::crypto::ring::tls13::GcmMessageDecrypter as rustls::crypto::cipher::MessageDecrypter>::decrypt;"
      "ring::aead::aes_gcm::open;ring_core_0_17_8_aes_hw_ctr32_encrypt_blocks",
      "ring::aead::aes_gcm::open;ring_core_0_17_8_gcm_ghash_avx", NULL}},
};

static const mix_bg MIX_RUST_BG[] = {
    {0, 0.05, TOKIO_WORKER "tokio::runtime::scheduler::multi_thread::worker::Context::park_timeout;"
              "tokio::runtime::scheduler::multi_thread::park::Parker::park_timeout;"
              "tokio::runtime::driver::Driver::park_timeout;tokio::runtime::time::Driver::park_internal",
     {"tokio::runtime::io::driver::Driver::turn;mio::poll::Poll::poll;!cepoll_wait;" K_EPOLL,
      "tokio::runtime::io::driver::Driver::turn;tokio::runtime::io::scheduled_io::ScheduledIo::wake;"
      "tokio::runtime::scheduler::multi_thread::worker::<impl tokio::runtime::task::Schedule for alloc::sync::Arc<tokio::runtime::scheduler::multi_thread::handle::Handle>>::schedule",
      "tokio::runtime::time::wheel::Wheel::poll;tokio::runtime::time::Handle::process_at_time", NULL}},
    {0, 0.02, TOKIO_WORKER "tokio::runtime::scheduler::multi_thread::worker::Context::steal_work",
     {"tokio::runtime::scheduler::multi_thread::queue::Steal<T>::steal_into",
      "tokio::runtime::scheduler::multi_thread::idle::Idle::transition_worker_to_parked;"
      "tokio::runtime::scheduler::multi_thread::park::Parker::park;std::sys::unix::futex::futex_wait;!csyscall;" K_FUTEX,
      "!e?", NULL}},
    {0, 0.008, "!cclone3;!cstart_thread;std::sys::unix::thread::Thread::new::thread_start;"
               "core::ops::function::FnOnce::call_once{{vtable.shim}};"
               "std::sys_common::backtrace::__rust_begin_short_backtrace;"
               "metrics_exporter_prometheus::exporter::http_listener::HttpListeningExporter::serve::{{closure}}",
     {"metrics_exporter_prometheus::recorder::Inner::render;alloc::fmt::format::format_inner;core::fmt::write",
      "metrics_util::registry::Registry<K,S>::visit_counters;hashbrown::raw::RawIterRange<T>::fold_impl", NULL}},
};

/* ---- words each service's own code is named from ---- */

/* Domain nouns beyond a service's own (drawn per service). */
static const char *const MIX_NOUNS[] = {
    "Account", "Address", "Adjustment", "Allocation", "Approval", "Asset",
    "Attachment", "Audit", "Balance", "Batch", "Benefit", "Bundle", "Campaign",
    "Category", "Channel", "Checkpoint", "Claim", "Comment", "Contract",
    "Coupon", "Currency", "Customer", "Dashboard", "Delivery", "Device",
    "Dispute", "Document", "Draft", "Entitlement", "Estimate", "Event",
    "Export", "Feature", "Fee", "Forecast", "Fulfillment", "Grant", "Group",
    "Hold", "Import", "Incident", "Installment", "Integration", "Invoice",
    "Job", "Journal", "Limit", "Listing", "Locale", "Manifest", "Membership",
    "Merchant", "Metric", "Milestone", "Offer", "Outbox", "Package", "Partner",
    "Payout", "Permission", "Plan", "Policy", "Preference", "Price", "Profile",
    "Quota", "Receipt", "Reconciliation", "Region", "Reminder", "Report",
    "Request", "Reward", "Role", "Route", "Rule", "Schedule", "Segment",
    "Setting", "Settlement", "Shipment", "Snapshot", "Statement", "Status",
    "Subscription", "Supplier", "Tag", "Tariff", "Task", "Tenant", "Threshold",
    "Ticket", "Timeline", "Transfer", "Trigger", "Usage", "Vendor", "Voucher",
    "Webhook", "Window", "Workflow", "Zone",
};

static const char *const MIX_VERBS[] = {
    "get", "find", "load", "list", "create", "update", "validate", "compute",
    "apply", "build", "resolve", "map", "convert", "merge", "enrich", "check",
    "normalize", "collect", "fetch", "prepare", "filter", "sort", "group",
    "index", "score", "serialize", "parse", "format", "calculate", "assemble",
    "refresh", "reconcile", "evaluate", "expand", "attach", "match", "split",
    "sanitize", "summarize", "publish",
};

/* Modules beyond a service's own packages. */
static const char *const MIX_MODULES[] = {
    "core", "domain", "billing", "catalog", "rules", "reporting", "sync",
    "notify", "storage", "support", "search", "pricing", "identity",
    "scheduling", "ingest", "export", "audit", "metrics", "routing", "quota",
};

/* Kinds of code unit, per runtime. */
static const char *const MIX_JVM_SUFFIX[] = {
    "Service", "ServiceImpl", "Repository", "Mapper", "Validator", "Client",
    "Assembler", "Factory", "Policy", "Calculator", "Resolver", "Handler",
    "Converter", "Provider", "Cache", "Support", "Helper", "Facade",
};
static const char *const MIX_PY_FILE[] = {
    "services", "selectors", "serializers", "models", "utils", "validators",
    "clients", "permissions", "tasks", "helpers", "managers", "signals",
};
static const char *const MIX_NODE_SUFFIX[] = {
    "Service", "Repository", "Validator", "Mapper", "Client", "Controller",
    "Helper", "Store", "Policy", "Formatter", "Cache",
};
static const char *const MIX_RUST_MOD[] = {
    "service", "repo", "model", "validate", "client", "cache", "policy",
    "convert", "store", "handlers",
};

#endif
