package io.memsession.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.memsession.MemcachedSessionFilter;

import jakarta.servlet.DispatcherType;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Registers memsession's filter in a Spring Boot servlet application that sets {@code memsession.servers}:
 * every {@code memsession.*} property is the filter init-param of the same name in kebab case
 * ({@code memsession.allowed-classes} is {@code allowedClasses}), so the configuration reference in
 * docs/configuration.md applies unchanged. The filter runs ahead of every other filter, Spring
 * Security's chain included, so that the security context is kept in memcached too. A wrong value
 * stops the application at start-up with the filter's own message; an unknown {@code memsession.*}
 * property does too, naming the known ones.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(MemcachedSessionFilter.class)
@ConditionalOnProperty(prefix = "memsession", name = "servers")
public class MemsessionAutoConfiguration {

    /** Ahead of Spring's own request-wrapping filters and of Spring Security, as Spring Session's filter is. */
    public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    @Bean
    public FilterRegistrationBean<MemcachedSessionFilter> memsessionFilter(Environment environment) {
        FilterRegistrationBean<MemcachedSessionFilter> registration =
                new FilterRegistrationBean<>(new MemcachedSessionFilter());
        registration.setName("memsession");
        registration.setInitParameters(initParameters(environment));
        registration.addUrlPatterns("/*");
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        registration.setAsyncSupported(true);
        registration.setOrder(FILTER_ORDER);
        return registration;
    }

    /**
     * The filter's init-params from the {@code memsession.*} properties. Each known property is bound by
     * its own name, so Boot's relaxed binding applies as to any property: environment variables included
     * ({@code MEMSESSION_OPTIMEOUTMILLIS} or {@code MEMSESSION_OP_TIMEOUT_MILLIS}). Unknown names are
     * refused where a name is written out (property files, the command line, system properties), not
     * among environment variables, which cannot be told apart from unrelated {@code MEMSESSION_*} ones.
     */
    static Map<String, String> initParameters(Environment environment) {
        Binder binder = Binder.get(environment);
        Map<String, String> initParameters = new LinkedHashMap<>();
        Set<String> known = new TreeSet<>();
        for (String name : MemcachedSessionFilter.initParameterNames()) {
            String property = kebabCase(name);
            known.add(property);
            binder.bind("memsession." + property, String.class).ifBound(value -> initParameters.put(name, value));
        }
        List<ConfigurationPropertySource> namedSources = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource)) {
                namedSources.add(source);
            }
        }
        Map<String, String> written = new Binder(namedSources)
                .bind("memsession", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        for (String key : written.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("memsession property 'memsession." + key + "' is unknown; allowed: "
                        + known.stream().map(k -> "memsession." + k).toList());
            }
        }
        return initParameters;
    }

    /** {@code allowedClasses} → {@code allowed-classes}. */
    static String kebabCase(String camelCase) {
        StringBuilder kebab = new StringBuilder(camelCase.length() + 4);
        for (char c : camelCase.toCharArray()) {
            if (Character.isUpperCase(c)) {
                kebab.append('-').append(Character.toLowerCase(c));
            } else {
                kebab.append(c);
            }
        }
        return kebab.toString();
    }

    /** The property names, for the configuration metadata test. */
    static Set<String> propertyNames() {
        List<String> names = MemcachedSessionFilter.initParameterNames();
        Set<String> properties = new TreeSet<>();
        names.forEach(name -> properties.add("memsession." + kebabCase(name)));
        return properties;
    }
}
